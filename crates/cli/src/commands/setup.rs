use std::io::IsTerminal;

use anyhow::{Context, Result, bail};
use clap::Args;
use encaisse_app::App;
use encaisse_app::demo::{DEMO_PASSWORD, DEMO_USERS};
use encaisse_app::setup::InitRequest;
use encaisse_core::Currency;
use encaisse_core::party::Country;

use crate::Cli;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Legal name of the first organization. Asked for when missing and a terminal is present.
    #[arg(long)]
    pub org_name: Option<String>,
    /// Country of the organization (ISO code: FR, CH, DE, BE…).
    #[arg(long)]
    pub country: Option<String>,
    /// Currency of the organization (EUR, CHF…); default from the country.
    #[arg(long)]
    pub currency: Option<String>,
    /// E-mail of the owner account. Its password comes from ENCAISSE_OWNER_PASSWORD (never a
    /// flag: it would stay in the shell history) or is asked for.
    #[arg(long)]
    pub owner_email: Option<String>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Seed the demo data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to serve on (default from the configuration: 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
}

#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// Seconds between two looks at the queue.
    #[arg(long, default_value_t = 5)]
    pub poll: u64,
    /// Run the jobs due now once, then exit.
    #[arg(long)]
    pub once: bool,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 or 0.0.0.0:8080 (default from the configuration).
    #[arg(long)]
    pub listen: Option<String>,
}

fn ask(prompt: &str, given: Option<&String>, interactive: bool, flag: &str) -> Result<String> {
    if let Some(v) = given {
        return Ok(v.clone());
    }
    if !interactive {
        bail!("{flag} is missing: pass it, or run `encaisse init` in a terminal to be asked");
    }
    Ok(dialoguer::Input::<String>::new()
        .with_prompt(prompt)
        .interact_text()?)
}

pub async fn init(cli: &Cli, a: &InitArgs) -> Result<()> {
    let interactive = std::io::stdin().is_terminal();
    let org_name = ask(
        "Legal name of your company",
        a.org_name.as_ref(),
        interactive,
        "--org-name",
    )?;
    let country_s = ask(
        "Country (FR, CH, DE, BE…)",
        a.country.as_ref(),
        interactive,
        "--country",
    )?;
    let country = Country::parse(&country_s)?;
    let currency = match &a.currency {
        Some(c) => Currency::parse(c)?,
        None if country == Country::CH || country.as_str() == "LI" => Currency::CHF,
        None => Currency::EUR,
    };
    let owner_email = ask(
        "Owner e-mail",
        a.owner_email.as_ref(),
        interactive,
        "--owner-email",
    )?;
    let owner_password = match std::env::var("ENCAISSE_OWNER_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ if interactive => dialoguer::Password::new()
            .with_prompt("Owner password (10 characters or more)")
            .with_confirmation("Repeat the password", "the passwords differ")
            .interact()?,
        _ => {
            bail!("the owner password is missing: set ENCAISSE_OWNER_PASSWORD (it is never a flag)")
        }
    };
    let app = super::open(cli).await?;
    let done = app
        .init(InitRequest {
            org_name,
            country,
            currency,
            owner_email,
            owner_password,
        })
        .await?;
    println!(
        "Initialised {} in {}",
        done.organization.legal_name,
        app.config.data_dir.display()
    );
    println!(
        "  organization: {} ({}, {})",
        done.organization.slug, country, currency
    );
    println!("  owner:        {}", done.owner.email);
    println!(
        "Next: `encaisse serve`, then open http://{}",
        app.config.server.listen
    );
    Ok(())
}

pub async fn demo(cli: &Cli, a: &DemoArgs) -> Result<()> {
    let app = super::open(cli).await?;
    let today = app.today();
    eprintln!(
        "Seeding the demo workspace as of {today} (a minute at most; running it again creates nothing twice)…"
    );
    let s = app
        .seed_demo(today)
        .await
        .context("seeding the demo failed")?;
    println!("Demo workspace ready in {}:", app.config.data_dir.display());
    println!("  organizations: {}", s.organizations.join(", "));
    println!(
        "  {} clients, {} projects, {} invoices issued, {} credit notes, {} drafts waiting for approval",
        s.clients, s.projects, s.invoices_issued, s.credit_notes, s.drafts_waiting
    );
    if let Some(b) = &s.bank {
        println!(
            "  bank: {} transactions imported from a camt.053 quarter, {} reconciled automatically, {} waiting for review, {} unmatched",
            b.transactions, b.applied, b.suggested, b.unmatched
        );
    }
    if let Some(c) = &s.clockify {
        println!(
            "  Clockify simulator at {}: {} entries synced ({} new), {} time drafts for {} ({} hours)",
            c.url,
            c.entries_read,
            c.inserted,
            c.drafts_created,
            c.period,
            c.hours.round_dp(2)
        );
    }
    if a.no_serve {
        print_demo_logins();
        return Ok(());
    }
    let listen = a
        .listen
        .clone()
        .unwrap_or_else(|| app.config.server.listen.clone());
    serve_on(app, &listen, true).await
}

pub async fn serve(cli: &Cli, a: &ServeArgs) -> Result<()> {
    let app = super::open(cli).await?;
    let listen = a
        .listen
        .clone()
        .unwrap_or_else(|| app.config.server.listen.clone());
    serve_on(app, &listen, false).await
}

fn print_demo_logins() {
    println!("Demo logins (password `{DEMO_PASSWORD}`, demo data only):");
    for (email, role) in DEMO_USERS {
        println!("  {email:<24} {}", role.as_str());
    }
    println!(
        "Drafts wait in the validation inbox (/inbox): log in as approver@demo.test; one of them bills an unusual amount and carries a warning."
    );
}

async fn serve_on(app: App, listen: &str, demo: bool) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}: is another program using it? choose another with --listen"))?;
    let addr = listener.local_addr()?;
    println!(
        "encaisse is serving on http://{addr}  (API docs: http://{addr}/docs, Ctrl-C to stop)"
    );
    if demo {
        print_demo_logins();
    }
    // On SQLite the server runs the jobs itself (one process owns the database); on
    // PostgreSQL run `encaisse worker` processes beside it.
    let worker = (app.store.backend() == encaisse_store::Backend::Sqlite).then(|| {
        let app = app.clone();
        tokio::spawn(async move {
            app.run_worker(
                "embedded",
                std::time::Duration::from_secs(5),
                std::future::pending(),
            )
            .await;
        })
    });
    let served = encaisse_web::serve(app, listener, shutdown_signal()).await;
    if let Some(w) = worker {
        w.abort();
    }
    served.context("the web server stopped")?;
    Ok(())
}

pub async fn worker(cli: &Cli, a: &WorkerArgs) -> Result<()> {
    let app = super::open(cli).await?;
    let id = format!("worker-{}", std::process::id());
    if a.once {
        app.schedule_daily_alerts(app.now()).await?;
        let r = app.run_due_jobs(&id, app.now()).await?;
        println!("{} job(s) done, {} failed", r.completed, r.failed);
        for o in &r.outcomes {
            println!("  {o}");
        }
        return Ok(());
    }
    eprintln!(
        "encaisse worker {id}: running jobs every {} s (Ctrl-C to stop)",
        a.poll
    );
    app.run_worker(
        &id,
        std::time::Duration::from_secs(a.poll.max(1)),
        shutdown_signal(),
    )
    .await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("Stopping…");
}
