//! The HTML report: self-contained, well-formed, the expected charts, and
//! rendered by a real browser.

use std::path::Path;

use crate::support::*;

fn run_ok(args: &[&str]) {
    let out = run(args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
}

/// Parses the report as XML and checks that nothing in it points outside.
pub fn check_self_contained(html: &str, what: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{what}: not well-formed: {e}"));
    let mut ids = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        for attr in node.attributes() {
            // A link the reader may follow (a scenario's sources) loads
            // nothing; any other src or href would.
            let link = node.tag_name().name() == "a" && attr.name() == "href";
            if matches!(attr.name(), "src" | "href") && !link {
                let v = attr.value();
                assert!(
                    !(v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")),
                    "{what}: remote {}={v}",
                    attr.name()
                );
            }
        }
        if let Some(id) = node.attribute("id") {
            ids.push(id.to_string());
        }
        if let Some(class) = node.attribute("class") {
            ids.push(format!(".{class}"));
        }
    }
    assert!(!html.contains("url("), "{what}: url() in the report");
    assert!(!html.contains("@import"), "{what}: @import in the report");
    assert!(!html.contains("<script"), "{what}: a script in the report");
    ids
}

#[test]
fn html_reports_of_the_bundled_scenarios_are_well_formed_and_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str], &[&str]); 4] = [
        (
            "quickstart.toml",
            &["--trials", "20000"],
            &[
                "summary",
                "dependency-graph",
                "impact-ccdf",
                "provider-impact",
                "services",
            ],
        ),
        (
            "dyn-2016.toml",
            &["--model", "snapshot", "--trials", "20000"],
            &[
                "summary",
                "dependency-graph",
                "impact-ccdf",
                "provider-impact",
                "services",
            ],
        ),
        (
            "dyn-2016.toml",
            &["--trials", "4"],
            &[
                "summary",
                "events",
                "series",
                ".series-chart",
                "dependency-graph",
                "services",
            ],
        ),
        (
            "whatif/dyn-wave1.toml",
            &["--trials", "4"],
            &[
                "summary",
                "events",
                ".series-chart",
                "dependency-graph",
                "services",
            ],
        ),
    ];
    for (i, (file, extra, expected)) in cases.iter().enumerate() {
        let html = dir.path().join(format!("{i}.html"));
        let scenario = scenario_file(file);
        let mut args = vec![
            "run",
            path_str(&scenario),
            "--quiet",
            "--html",
            path_str(&html),
        ];
        args.extend_from_slice(extra);
        run_ok(&args);
        let text = std::fs::read_to_string(&html).unwrap();
        let ids = check_self_contained(&text, file);
        // The scenario's provenance travels with the report.
        if file.starts_with("dyn-2016") {
            assert!(
                text.contains(
                    "<p class=\"description\">Services reported affected by the 2016 Dyn DDoS"
                ) && text.contains("<a href=\"https://dynstatus.com/incidents/5r9mppc1kb77\">"),
                "{file}: no description or sources"
            );
        }
        for id in *expected {
            assert!(
                ids.iter().any(|x| x == id),
                "{file} {extra:?}: no {id} in the report"
            );
        }
    }
}

#[test]
fn report_from_a_saved_json_result_matches_the_runs_own_html() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (file, extra) in [
        ("quickstart.toml", ["--model", "snapshot"]),
        ("whatif/dyn-wave1.toml", ["--trials", "3"]),
    ] {
        let scenario = scenario_file(file);
        let (json, a, b) = (d.join("r.json"), d.join("a.html"), d.join("b.html"));
        let mut args = vec![
            "run",
            path_str(&scenario),
            "--format",
            "json",
            "-o",
            path_str(&json),
            "--html",
            path_str(&a),
        ];
        args.extend_from_slice(&extra);
        run_ok(&args);
        run_ok(&["report", path_str(&json), "--html", path_str(&b)]);
        let same = std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap();
        assert!(
            same,
            "{file}: the HTML from the saved JSON differs from the run's"
        );
    }
    let bad = d.join("bad.json");
    std::fs::write(&bad, "{\"model\": \"weather\"}").unwrap();
    let out = run(&[
        "report",
        path_str(&bad),
        "--html",
        path_str(&d.join("c.html")),
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a dnsim JSON result"),
        "{}",
        out.stderr
    );
}

/// Pixels of a PNG that differ from its first pixel, as a share.
fn non_background_share(png_path: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let data = &buf[..info.buffer_size()];
    let first = &data[..px];
    let differ = data.chunks(px).filter(|p| p != &first).count();
    differ as f64 / (data.len() / px) as f64
}

#[test]
fn a_real_browser_renders_the_dyn_replay_report() {
    // .ci/run installs Debian's chromium so that this always runs in CI.
    if !external_tool("chromium", "--version", "apt-get install chromium") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (json, html, png_path) = (d.join("dyn.json"), d.join("dyn.html"), d.join("dyn.png"));
    let scenario = scenario_file("dyn-2016.toml");
    run_ok(&[
        "run",
        path_str(&scenario),
        "--trials",
        "6",
        "--quiet",
        "--format",
        "json",
        "-o",
        path_str(&json),
        "--html",
        path_str(&html),
    ]);
    let url = format!("file://{}", html.display());
    let profile = d.join("profile");
    let chromium = |extra: &[&str]| {
        std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let shot = chromium(&[
        "--window-size=1100,1600",
        &format!("--screenshot={}", png_path.display()),
    ]);
    assert!(
        png_path.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let share = non_background_share(&png_path);
    assert!(
        share > 0.02,
        "the screenshot is nearly blank ({:.1}% non-background)",
        100.0 * share
    );
    let dom = String::from_utf8(chromium(&["--dump-dom"]).stdout).unwrap();
    for heading in [
        "Summary",
        "Scheduled events",
        "Failed lookups over time",
        "Dependency graph",
        "Services, worst first",
    ] {
        assert!(
            dom.contains(&format!(">{heading}</h2>")),
            "no heading {heading} in the rendered DOM"
        );
    }
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let downtime = format!(
        "{:.2}",
        result["summary"]["downtime_minutes"].as_f64().unwrap()
    );
    assert!(
        dom.contains(&format!("<td>{downtime}</td>")),
        "summary downtime {downtime} not in the DOM"
    );
    let wave1 = result["events"][0]["by_region"]["us-east"]["failed_share"]
        .as_f64()
        .unwrap();
    assert!(
        dom.contains(&format!("<td>{:.2}%</td>", 100.0 * wave1)),
        "wave 1 share not in the DOM"
    );
    let worst = result["services"][0]["id"].as_str().unwrap();
    assert!(
        dom.contains(worst),
        "the worst service {worst} not in the DOM"
    );
}

#[test]
fn analysis_and_comparison_reports_are_well_formed_and_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("analysis.html");
    let c = dir.path().join("compare.html");
    let dyn_file = scenario_file("dyn-2016.toml");
    run_ok(&["analyze", path_str(&dyn_file), "--html", path_str(&a)]);
    let quick = scenario_file("quickstart.toml");
    let plan_b = scenario_file("quickstart-pay-second-provider.toml");
    run_ok(&[
        "compare",
        path_str(&quick),
        path_str(&plan_b),
        "--trials",
        "50000",
        "--html",
        path_str(&c),
    ]);
    for (path, expected) in [
        (
            &a,
            &[
                "summary",
                "importance",
                "importance-chart",
                "cut-sets",
                "cut-set-chart",
                "services",
            ][..],
        ),
        (
            &c,
            &[
                "summary",
                "difference-intervals",
                "changes",
                "service-differences",
            ][..],
        ),
    ] {
        let text = std::fs::read_to_string(path).unwrap();
        let ids = check_self_contained(&text, path_str(path));
        for id in expected {
            assert!(ids.iter().any(|x| x == id), "{}: no {id}", path.display());
        }
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert!(
        text.contains(">dyn + cloudflare<"),
        "the top cut set is drawn"
    );
    let text = std::fs::read_to_string(&c).unwrap();
    assert!(
        text.contains(">checkout.example.com<"),
        "the changed services are drawn"
    );
}

/// `dnsim report` reads every JSON dnsim writes, and draws the page the
/// command's own `--html` drew.
#[test]
fn report_reads_analysis_comparison_and_sweep_results() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let q = scenario_file("quickstart.toml");
    let b = scenario_file("quickstart-pay-second-provider.toml");
    let ns1 = scenario_file("incidents/ns1-2016.toml");
    let wave = scenario_file("whatif/dyn-wave1.toml");
    let stale = scenario_file("whatif/dyn-wave1-serve-stale.toml");
    let (q, b, ns1) = (path_str(&q), path_str(&b), path_str(&ns1));
    let cases: [(&str, Vec<&str>); 4] = [
        ("analysis", vec!["analyze", q]),
        ("comparison", vec!["compare", q, b, "--trials", "2000"]),
        (
            "timeline-comparison",
            vec![
                "compare",
                path_str(&wave),
                path_str(&stale),
                "--trials",
                "2",
            ],
        ),
        (
            "sweep",
            vec![
                "sweep",
                ns1,
                "--vary",
                "event.1.loss=0.5,1",
                "--trials",
                "2",
            ],
        ),
    ];
    for (name, args) in cases {
        let (json, own, again) = (
            d.join(format!("{name}.json")),
            d.join(format!("{name}-own.html")),
            d.join(format!("{name}-report.html")),
        );
        let mut full = args.clone();
        full.extend([
            "--format",
            "json",
            "-o",
            path_str(&json),
            "--html",
            path_str(&own),
        ]);
        run_ok(&full);
        run_ok(&["report", path_str(&json), "--html", path_str(&again)]);
        let page = std::fs::read_to_string(&own).unwrap();
        assert_eq!(page, std::fs::read_to_string(&again).unwrap(), "{name}");
        let ids = check_self_contained(&page, name);
        if name == "timeline-comparison" {
            for want in ["summary", "difference-intervals", "changes"] {
                assert!(ids.iter().any(|i| i == want), "{name}: {want} in {ids:?}");
            }
        }
        // Another version's result is refused.
        let text = std::fs::read_to_string(&json).unwrap();
        let forged = text.replacen(
            &format!("\"dnsim\": \"{}\"", dnsim::results::VERSION),
            "\"dnsim\": \"9.9.9\"",
            1,
        );
        assert_ne!(forged, text, "{name}");
        std::fs::write(&json, forged).unwrap();
        let out = run(&["report", path_str(&json), "--html", path_str(&again)]);
        assert_eq!(out.code, 2, "{name}");
        assert!(
            out.stderr.contains("written by dnsim \"9.9.9\""),
            "{name}: {}",
            out.stderr
        );
    }
}

/// The dependency graph draws requirements (arcs, dotted for a
/// `requires_any` member) and a legend, and colours a provider out in the
/// run red: the Dyn of the wave-1 replay (a scheduled event) was green.
#[test]
fn the_dependency_graph_shows_requirements_a_legend_and_the_failing_provider() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("q.html");
    let quickstart = scenario_file("quickstart.toml");
    run_ok(&[
        "run",
        path_str(&quickstart),
        "--model",
        "snapshot",
        "--html",
        path_str(&page),
        "--format",
        "json",
        "-o",
        path_str(&dir.path().join("q.json")),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    // checkout requires pay and shop, shop requires the CDN.
    assert!(
        html.matches("<path class=\"requires\"").count() >= 3,
        "arcs"
    );
    assert!(html.contains("id=\"graph-legend\""));
    let wave = scenario_file("whatif/dyn-wave1.toml");
    run_ok(&[
        "run",
        path_str(&wave),
        "--trials",
        "2",
        "--html",
        path_str(&page),
        "--format",
        "json",
        "-o",
        path_str(&dir.path().join("w.json")),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    let red = "fill=\"rgb(217,48,37)\"/><text x=\"556\"";
    let dyn_rect = html
        .lines()
        .find(|l| l.contains("<rect x=\"534\"") && l.ends_with(">dyn</text>"))
        .expect("Dyn in the graph");
    assert!(dyn_rect.contains(red), "{dyn_rect}");
}

/// `report` re-renders a saved run result in any of `run`'s formats: the
/// same bytes as the run wrote (it wrote HTML only).
#[test]
fn report_writes_a_saved_run_in_the_formats_of_run() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    for (file, model) in [
        ("quickstart.toml", "snapshot"),
        ("whatif/dyn-wave1.toml", "timeline"),
    ] {
        let plan = scenario_file(file);
        let base = ["run", path_str(&plan), "--model", model, "--trials", "3"];
        let mut save = base.to_vec();
        save.extend(["--format", "json", "-o", path_str(&json)]);
        run_ok(&save);
        for format in ["table", "csv", "markdown", "json"] {
            let mut direct = base.to_vec();
            direct.extend(["--format", format]);
            let want = run(&direct);
            let got = run(&["report", path_str(&json), "--format", format]);
            assert_eq!(got.code, 0, "{file} {format}: {}", got.stderr);
            assert_eq!(got.stdout, want.stdout, "{file} {format}");
        }
        // No flag: the table.
        let table = run(&["report", path_str(&json)]);
        assert!(table.stdout.contains("Summary"), "{}", table.stdout);
    }
    // Other results become pages only.
    let q = scenario_file("quickstart.toml");
    let analysis = dir.path().join("a.json");
    run_ok(&[
        "analyze",
        path_str(&q),
        "--format",
        "json",
        "-o",
        path_str(&analysis),
    ]);
    let out = run(&["report", path_str(&analysis), "--format", "csv"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--format"), "{}", out.stderr);
    let out = run(&["report", path_str(&analysis)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--html"), "{}", out.stderr);
}
