//! The real servers: NSD as the authoritative of the test zone, Unbound or
//! BIND as the recursive resolver. Each runs from its own configuration in
//! the run's temporary directory, in the foreground, in its own process
//! group; dropping a [`Daemon`] stops the whole group (NSD forks helpers).
//! Only the settings a loopback test needs are changed from the shipped
//! defaults, plus serve-stale where the experiment turns it on.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Where resolvers listen for clients.
pub const RESOLVER_PORT: u16 = 5353;
/// Where the relays (the providers' name servers, as the resolvers see
/// them) listen.
pub const RELAY_PORT: u16 = 5301;
/// Where NSD listens, behind the relays.
pub const AUTH_PORT: u16 = 5300;

/// The recursive resolvers the testbed drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    Unbound,
    Bind,
}

impl Resolver {
    pub const ALL: [Resolver; 2] = [Resolver::Unbound, Resolver::Bind];

    pub fn label(self) -> &'static str {
        match self {
            Resolver::Unbound => "Unbound",
            Resolver::Bind => "BIND",
        }
    }

    fn program(self) -> &'static str {
        match self {
            Resolver::Unbound => "unbound",
            Resolver::Bind => "named",
        }
    }

    /// The programs this resolver's runs need that are not on this
    /// machine (NSD included).
    pub fn missing(self) -> Vec<&'static str> {
        [self.program(), "nsd"]
            .into_iter()
            .filter(|p| find(p).is_none())
            .collect()
    }

    /// "Unbound 1.17.1", from the program itself.
    pub fn version(self) -> String {
        let flag = match self {
            Resolver::Unbound => "-V",
            Resolver::Bind => "-v",
        };
        let number = version_of(self.program(), flag)
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
            .unwrap_or_default();
        format!("{} {number}", self.label()).trim_end().to_string()
    }

    /// Starts one resolver process sending its queries from `at`, with
    /// the test zone delegated to `relays`. Returns it and where it listens
    /// for clients: `at` for Unbound; for BIND, which listens only on
    /// addresses of an interface, a free port of 127.0.0.1.
    pub fn start(
        self,
        dir: &Path,
        at: Ipv4Addr,
        relays: &[Ipv4Addr],
        serve_stale: bool,
    ) -> Result<(Daemon, SocketAddr)> {
        let name = format!("{}-{at}", self.program());
        let listen = match self {
            Resolver::Unbound => SocketAddr::new(at.into(), RESOLVER_PORT),
            Resolver::Bind => free_port()?,
        };
        let (lip, lport) = (listen.ip(), listen.port());
        let conf = dir.join(format!("{name}.conf"));
        let hints = dir.join("root.hints");
        let d = dir.display();
        let mut text = String::new();
        match self {
            Resolver::Unbound => {
                // Unbound refuses loopback upstreams and answers `.test`
                // from its built-in local zones unless told otherwise
                // (../shared/research/testbed-notes.md).
                writeln!(
                    text,
                    "server:\n  verbosity: 0\n  num-threads: 1\n  interface: {at}@{RESOLVER_PORT}\n  \
                     outgoing-interface: {at}\n  do-ip6: no\n  do-daemonize: no\n  username: \"\"\n  \
                     chroot: \"\"\n  directory: \"{d}\"\n  pidfile: \"{d}/{name}.pid\"\n  \
                     logfile: \"{d}/{name}.log\"\n  use-syslog: no\n  do-not-query-localhost: no\n  \
                     module-config: \"iterator\"\n  root-hints: \"{}\"\n  \
                     access-control: 127.0.0.0/8 allow\n  local-zone: \"test.\" nodefault",
                    hints.display()
                )?;
                if serve_stale {
                    // RFC 8767's recommended client timeout (1.8 s), which
                    // Unbound's documentation also gives.
                    text.push_str("  serve-expired: yes\n  serve-expired-client-timeout: 1800\n");
                }
                text.push_str("stub-zone:\n  name: \"test.\"\n");
                for r in relays {
                    writeln!(text, "  stub-addr: {r}@{RELAY_PORT}")?;
                }
                text.push_str("remote-control:\n  control-enable: no\n");
            }
            Resolver::Bind => {
                // `port` is where named sends its queries (and would listen,
                // but `listen-on port` overrides that): the relays' port.
                writeln!(
                    text,
                    "options {{\n  directory \"{d}\";\n  pid-file \"{d}/{name}.pid\";\n  \
                     session-keyfile \"{d}/{name}.key\";\n  managed-keys-directory \"{d}\";\n  \
                     listen-on port {lport} {{ {lip}; }};\n  listen-on-v6 {{ none; }};\n  \
                     port {RELAY_PORT};\n  query-source address {at};\n  recursion yes;\n  \
                     allow-query {{ any; }};\n  allow-recursion {{ any; }};\n  \
                     dnssec-validation no;\n  notify no;"
                )?;
                if serve_stale {
                    text.push_str(
                        "  stale-cache-enable yes;\n  stale-answer-enable yes;\n  \
                         stale-answer-client-timeout 1800;\n",
                    );
                }
                writeln!(
                    text,
                    "}};\ncontrols {{ }};\nzone \".\" {{ type hint; file \"{}\"; }};\n\
                     zone \"test\" {{ type static-stub; server-addresses {{ {} }}; }};",
                    hints.display(),
                    relays.iter().map(|r| format!("{r}; ")).collect::<String>()
                )?;
            }
        }
        fs::write(&conf, text)?;
        let mut cmd = command(self.program());
        match self {
            Resolver::Unbound => cmd.arg("-d").arg("-c").arg(&conf),
            Resolver::Bind => cmd.args(["-g", "-4", "-n", "1", "-c"]).arg(&conf),
        };
        Ok((Daemon::spawn(cmd, dir, &name)?, listen))
    }
}

/// Writes the root hints every resolver gets: a root server on a loopback
/// address nothing listens on, so that nothing ever leaves the machine.
pub fn write_root_hints(dir: &Path, nowhere: Ipv4Addr) -> Result<()> {
    fs::write(
        dir.join("root.hints"),
        format!(".  3600000 NS a.root-servers.net.\na.root-servers.net. 3600000 A {nowhere}\n"),
    )?;
    Ok(())
}

/// Starts NSD on `at`, serving the test zone: `names` names `n0.test.` …
/// with TTL `ttl`, `ready.test.` for readiness probes, and one NS record
/// per relay.
pub fn start_nsd(
    dir: &Path,
    at: Ipv4Addr,
    relays: &[Ipv4Addr],
    names: u32,
    ttl: u32,
) -> Result<Daemon> {
    let mut zone = format!(
        "$ORIGIN test.\n$TTL {ttl}\n@ 3600 IN SOA ns0.test. hostmaster.test. 1 3600 600 86400 {ttl}\n"
    );
    for (i, r) in relays.iter().enumerate() {
        writeln!(zone, "@ 3600 IN NS ns{i}.test.\nns{i} 3600 IN A {r}")?;
    }
    zone.push_str("ready 3600 IN A 192.0.2.1\n");
    for n in 0..names {
        writeln!(zone, "n{n} IN A 192.0.2.{}", 1 + n % 250)?;
    }
    fs::write(dir.join("test.zone"), zone)?;
    let d = dir.display();
    // Minimal responses: answers carry no NS records, so the resolvers
    // keep the delegation they were configured with.
    let conf = format!(
        "server:\n  ip-address: {at}@{AUTH_PORT}\n  do-ip6: no\n  database: \"\"\n  \
         username: \"\"\n  chroot: \"\"\n  zonesdir: \"{d}\"\n  pidfile: \"{d}/nsd.pid\"\n  \
         xfrdfile: \"{d}/xfrd.state\"\n  zonelistfile: \"{d}/zone.list\"\n  xfrdir: \"{d}\"\n  \
         logfile: \"{d}/nsd.log\"\n  server-count: 1\n  verbosity: 0\n  \
         minimal-responses: yes\n\
         remote-control:\n  control-enable: no\n\
         zone:\n  name: \"test.\"\n  zonefile: \"test.zone\"\n"
    );
    let path = dir.join("nsd.conf");
    fs::write(&path, conf)?;
    let mut cmd = command("nsd");
    cmd.arg("-d").arg("-c").arg(&path);
    Daemon::spawn(cmd, dir, "nsd")
}

/// A server process (and its process group), stopped when dropped.
pub struct Daemon {
    child: Child,
    name: String,
}

impl Daemon {
    fn spawn(mut cmd: Command, dir: &Path, name: &str) -> Result<Daemon> {
        let log = File::create(dir.join(format!("{name}.out")))?;
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        // SAFETY: only async-signal-safe calls between fork and exec: a new
        // process group (so that stopping it stops NSD's helpers too), and
        // death with the thread that started it if the harness is killed.
        unsafe {
            cmd.pre_exec(|| {
                libc::setpgid(0, 0);
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        Ok(Daemon {
            child,
            name: name.to_string(),
        })
    }

    /// Fails with the end of the daemon's own output if it has exited.
    pub fn check_running(&mut self, dir: &Path) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let out =
                fs::read_to_string(dir.join(format!("{}.out", self.name))).unwrap_or_default();
            let tail: Vec<&str> = out.lines().rev().take(8).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!("{} exited ({status}):\n{}", self.name, tail.join("\n"));
        }
        Ok(())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let group = -(self.child.id() as i32);
        // SAFETY: signals to the process group this daemon leads.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: as above; whatever did not stop in time (helpers too).
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// A port of 127.0.0.1 free for both UDP and TCP just now.
fn free_port() -> Result<SocketAddr> {
    for _ in 0..20 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let at = udp.local_addr()?;
        if TcpListener::bind(at).is_ok() {
            return Ok(at);
        }
    }
    bail!("no free port on 127.0.0.1")
}

fn command(program: &str) -> Command {
    Command::new(find(program).unwrap_or_else(|| program.into()))
}

fn find(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// The first line a program prints of its version.
fn version_of(program: &str, flag: &str) -> Option<String> {
    let out = Command::new(find(program)?).arg(flag).output().ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().next().map(|l| l.trim().to_string())
}

/// "NSD 4.6.1".
pub fn nsd_version() -> String {
    let number = version_of("nsd", "-v")
        .and_then(|l| l.split_whitespace().nth(2).map(str::to_string))
        .unwrap_or_default();
    format!("NSD {number}").trim_end().to_string()
}
