//! `dnsim export --format open-psa`: the snapshot model as Open-PSA Model
//! Exchange Format fault trees, for cross-checking in SCRAM.
//!
//! One fault tree per service and region, whose top gate is "the service is
//! unreachable there"; one basic event per event of the compiled model (a
//! provider everywhere, a provider in one region, a common cause) with its
//! probability. A requirement refers to the required service's gate in the
//! same region, so SCRAM sees the same shared structure. MEF names allow
//! letters, digits, `_` and single hyphens, so each element gets a name made
//! of its index and its id with other characters as `_`; its `<label>` holds
//! the id as the scenario spells it (`github.com@us-east`, `dyn@eu`).
//!
//! A service with a `parent` also fails for want of a referral: its cold
//! NS set (a basic event per region, `cold-ns ID@REGION`) and its parent's
//! providers all down, or, up the chain, the parent's own referral failing.

use std::io::{self, Write};

use crate::forcing::Forcing;
use crate::model::{Model, cold_ns_event};
use crate::results::VERSION;
use crate::scenario::{Parent, Scenario};

/// `prefix` + index + the id with anything but ASCII letters, digits and `_`
/// replaced by `_`: unique by the index, readable by the id.
fn name(prefix: &str, index: usize, id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}{index}_{clean}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The gate name of service `s` in region `r`.
fn gate(scenario: &Scenario, s: usize, r: usize) -> String {
    name(
        "s",
        s,
        &format!("{}@{}", scenario.services[s].id, scenario.regions[r].id),
    )
}

/// `<op>` over `terms` (repeats dropped: MEF refuses them), or the term
/// itself when there is one.
fn connective(op: &str, mut terms: Vec<String>) -> String {
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(t.clone()));
    if terms.len() == 1 {
        terms.into_iter().next().expect("one term")
    } else {
        format!("<{op}>{}</{op}>", terms.concat())
    }
}

pub fn open_psa(scenario: &Scenario, out: &mut dyn Write) -> io::Result<()> {
    let model = Model::compile(scenario, &Forcing::default())
        .expect("no --fail: compiling a loaded scenario cannot fail");
    let (rc, pc) = (model.region_count(), model.provider_count);
    let event_names: Vec<String> = model
        .events
        .iter()
        .enumerate()
        .map(|(e, ev)| name("e", e, &ev.id))
        .collect();
    // Every event covering each provider in each region, p = 0 included.
    let mut covering: Vec<Vec<usize>> = vec![Vec::new(); rc * pc];
    for (e, ev) in model.events.iter().enumerate() {
        for &(p, r) in &ev.cover {
            let row = &mut covering[r as usize * pc + p as usize];
            if !row.contains(&e) {
                row.push(e);
            }
        }
    }
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        "<!-- dnsim {VERSION}: {}. One fault tree per service and region; the top gate is \"unreachable there\". -->",
        escape(&scenario.name).replace("--", "- -")
    )?;
    writeln!(out, "<opsa-mef>")?;
    let event_index: std::collections::HashMap<&str, usize> = model
        .events
        .iter()
        .enumerate()
        .map(|(e, ev)| (ev.id.as_str(), e))
        .collect();
    for (s, svc) in scenario.services.iter().enumerate() {
        for r in 0..rc {
            let all_down = |providers: &[u32]| {
                connective(
                    "and",
                    providers
                        .iter()
                        .map(|&p| {
                            connective(
                                "or",
                                covering[r * pc + p as usize]
                                    .iter()
                                    .map(|&e| {
                                        format!(r#"<basic-event name="{}"/>"#, event_names[e])
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            };
            let dns = all_down(&svc.dns);
            let refer = |q: u32| format!(r#"<gate name="{}"/>"#, gate(scenario, q as usize, r));
            let mut terms = vec![dns];
            // The delegation chain: the NS set cold (a basic event) and the
            // parent's providers down, or the parent's own referral failing.
            let mut chain = Vec::new();
            let mut at = svc;
            while at.parent().is_some() {
                let cold = cold_ns_event(&at.id, &scenario.regions[r].id);
                let e = event_index[cold.as_str()];
                chain.push((
                    format!(r#"<basic-event name="{}"/>"#, event_names[e]),
                    all_down(scenario.parent_providers(at)),
                ));
                match at.parent() {
                    Some(Parent::Service(q)) => at = &scenario.services[q as usize],
                    _ => break,
                }
            }
            let referral =
                chain
                    .into_iter()
                    .rev()
                    .fold(None, |above: Option<String>, (cold, parent)| {
                        let failing = match above {
                            None => parent,
                            Some(a) => connective("or", vec![parent, a]),
                        };
                        Some(connective("and", vec![cold, failing]))
                    });
            terms.extend(referral);
            terms.extend(svc.requires().iter().map(|&q| refer(q)));
            terms.extend(
                svc.requires_any()
                    .iter()
                    .map(|g| connective("and", g.iter().map(|&q| refer(q)).collect())),
            );
            let top = gate(scenario, s, r);
            writeln!(out, r#"  <define-fault-tree name="ft_{top}">"#)?;
            writeln!(out, r#"    <define-gate name="{top}">"#)?;
            writeln!(
                out,
                "      <label>{}@{}</label>",
                escape(&svc.id),
                escape(&scenario.regions[r].id)
            )?;
            writeln!(out, "      {}", connective("or", terms))?;
            writeln!(out, "    </define-gate>")?;
            writeln!(out, "  </define-fault-tree>")?;
        }
    }
    writeln!(out, "  <model-data>")?;
    for (ev, n) in model.events.iter().zip(&event_names) {
        writeln!(
            out,
            r#"    <define-basic-event name="{n}"><label>{}</label><float value="{}"/></define-basic-event>"#,
            escape(&ev.id),
            ev.p
        )?;
    }
    writeln!(out, "  </model-data>")?;
    writeln!(out, "</opsa-mef>")
}
