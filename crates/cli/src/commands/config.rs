use anyhow::Result;
use clap::Subcommand;

use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print a commented example encaisse.toml.
    Example,
    /// Print the configuration in force (defaults, file, environment, flags), secrets hidden.
    Show,
}

pub fn run(cli: &Cli, c: &ConfigCommand) -> Result<()> {
    match c {
        ConfigCommand::Example => print!("{}", encaisse_app::config::EXAMPLE),
        ConfigCommand::Show => {
            let mut cfg = super::load_config(cli)?;
            if let Some(url) = &cfg.database_url {
                cfg.database_url = Some(hide_password(url));
            }
            println!("{}", toml::to_string_pretty(&cfg).unwrap_or_default());
        }
    }
    Ok(())
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn hide_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::hide_password("postgres://u:s3cret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            super::hide_password("postgres://u@h/db"),
            "postgres://u@h/db"
        );
    }
}
