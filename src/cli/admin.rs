//! `holomesh admin create --email E`: the first administrator (roles change only
//! through admin endpoints afterwards). The password is read from standard input.

use super::{EXIT_USAGE, ExitCode};
use crate::app::{App, Speech};
use crate::auth::{AuthError, Registration};
use crate::config::Config;
use crate::domain::Role;
use std::io::BufRead;

pub async fn create(config: Config, email: &str, name: Option<&str>) -> anyhow::Result<ExitCode> {
    let app = App::build(&config, Speech::Off).await?;
    if let Ok(user) = app.auth.user_by_email(&email.trim().to_lowercase()).await {
        let user = app.auth.promote_to_admin(&user).await?;
        println!("{} is now an administrator.", user.email);
        print_next_step();
        return Ok(0);
    }
    eprintln!("Password for the new administrator {email} (12 characters or more), then Enter:");
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let display_name = name.unwrap_or("Administrator").to_owned();
    let reg = Registration { email: email.to_owned(), password, display_name, role: Role::User };
    let user = match app.auth.register(reg, None).await {
        Ok(u) => u,
        Err(e @ (AuthError::Invalid(_) | AuthError::Conflict(_))) => {
            eprintln!("holomesh admin create: {e}");
            return Ok(EXIT_USAGE);
        }
        Err(e) => return Err(e.into()),
    };
    let user = app.auth.promote_to_admin(&user).await?;
    println!("Created administrator {} ({}).", user.email, user.id);
    print_next_step();
    Ok(0)
}

fn print_next_step() {
    println!(
        "Next: sign in (POST /v1/auth/login) and turn on two-factor authentication \
         (POST /v1/auth/totp/enroll, then /v1/auth/totp/confirm); admin endpoints need it."
    );
}
