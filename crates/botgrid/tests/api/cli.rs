//! The botgrid binary: `admin` against a live server, and the README's `serve` command.

use crate::harness::Grid;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn botgrid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_botgrid"))
}

/// Runs `botgrid admin --json …` against the grid's database.
pub fn admin(grid: &Grid, args: &[&str]) -> serde_json::Value {
    let out = botgrid()
        .arg("admin")
        .arg("--database")
        .arg(&grid.db.url)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn admin_changes_take_effect_on_a_running_server_at_once() {
    let grid = Grid::start().await;
    let dev = admin(&grid, &["developer", "create", "--name", "Shop Owner"]);
    let key = dev["api_key"].as_str().unwrap().to_owned();
    let bot = admin(
        &grid,
        &[
            "avatar",
            "create",
            "Shop Keeper",
            "--bot",
            "--home",
            "Market/10/10/20",
        ],
    );
    assert_eq!(bot["kind"], "bot");
    let code = bot["access_code"].as_str().unwrap().to_owned();
    let status = |secret: String| {
        let grid = &grid;
        let key = key.clone();
        async move {
            grid.get_raw(&[
                ("action", "status"),
                ("apikey", &key),
                ("botname", "Shop Keeper"),
                ("secret", &secret),
            ])
            .await
        }
    };
    let r = status(code.clone()).await;
    assert!(r.ok(), "{}", r.raw);
    assert_eq!(r.get("location"), "Market/10/10/20");

    let token = admin(
        &grid,
        &["bot", "token-create", "Shop Keeper", "--label", "vendor"],
    );
    let token_secret = token["token"].as_str().unwrap().to_owned();
    assert!(status(token_secret.clone()).await.ok());
    let listed = admin(&grid, &["bot", "token-list", "Shop Keeper"]);
    assert_eq!(listed[0]["label"], "vendor");
    let id = token["id"].as_i64().unwrap().to_string();
    admin(&grid, &["bot", "token-revoke", "Shop Keeper", &id]);
    status(token_secret).await.assert_fail("INVALID SECRET");

    let renewed = admin(&grid, &["bot", "set-code", "Shop Keeper"]);
    status(code).await.assert_fail("INVALID SECRET");
    assert!(
        status(renewed["access_code"].as_str().unwrap().to_owned())
            .await
            .ok()
    );

    let avatars = admin(&grid, &["avatar", "list"]);
    assert!(
        avatars
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "Shop Keeper")
    );
    let devs = admin(&grid, &["developer", "list"]);
    assert!(
        devs.as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "Shop Owner")
    );
    assert!(
        devs.to_string().find("api_key").is_none(),
        "keys are never listed (they are stored hashed)"
    );
}

#[tokio::test]
async fn admin_refuses_bad_input_with_a_message() {
    let grid = Grid::start().await;
    let out = botgrid()
        .args([
            "admin",
            "--database",
            &grid.db.url,
            "avatar",
            "create",
            "Not A Name",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a name"));
    let out = botgrid()
        .args([
            "admin",
            "--database",
            &grid.db.url,
            "developer",
            "create",
            "--name",
            "x",
            "--api-key",
            "short",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 characters"));
}

/// The README's run command on an empty folder prints a curl line that works.
#[tokio::test]
async fn serve_on_an_empty_folder_prints_a_working_curl_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = store::testing::TestDb::new();
    let mut cmd = botgrid();
    cmd.current_dir(dir.path())
        .args(["serve", "--http", "127.0.0.1:0", "--simplex", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if db.is_postgres() {
        cmd.args(["--database", &db.url]);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut curl = None;
    let mut banner = String::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        banner.push_str(&line);
        banner.push('\n');
        if let Some(rest) = line.trim().strip_prefix("curl '") {
            curl = rest.strip_suffix('\'').map(str::to_owned);
            break;
        }
    }
    let url = curl.unwrap_or_else(|| panic!("no curl line in:\n{banner}"));
    assert!(
        banner.contains("Ada Resident") && banner.contains("Lin Resident"),
        "{banner}"
    );
    assert!(
        banner.contains("SimpleX API    ws://127.0.0.1:"),
        "{banner}"
    );
    let reply = reqwest::get(&url).await.unwrap().text().await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(reply.contains("result=OK"), "{reply}");
    assert!(reply.contains("slname=Ada%20Resident"), "{reply}");
    let creds = dir.path().join("botgrid-data/credentials.txt");
    let text = std::fs::read_to_string(&creds).unwrap();
    assert!(
        url.contains(
            text.lines()
                .nth(1)
                .unwrap()
                .trim_start_matches("api_key = ")
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn admin_builds_groups_and_seeds_worlds_for_a_running_server() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    let g = admin(
        &grid,
        &[
            "group",
            "create",
            "Builders",
            "--founder",
            "Ada Resident",
            "--open",
        ],
    );
    let group = g["uuid"].as_str().unwrap().to_owned();
    admin(
        &grid,
        &[
            "group",
            "role-add",
            "Builders",
            "Greeters",
            "--title",
            "Greeter",
            "--powers",
            "Invite,JoinChat",
        ],
    );
    let roles = admin(&grid, &["group", "roles", "Builders"]);
    assert!(
        roles
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "Greeters" && r["powers"] == "Invite,JoinChat")
    );

    // A seed file: a token-only bot and a person, made members in one go.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("world.json");
    let token = "bgt_seeded_token_for_a_bench_bot_0001";
    std::fs::write(
        &file,
        serde_json::json!({
            "avatars": [
                {"name": "Seed Bot", "bot": true, "token": token},
                {"name": "Seed Person", "about": "seeded"}
            ],
            "groups": [{
                "name": "Seeded Guild", "founder": "Seed Bot",
                "roles": [{"name": "Helpers", "title": "Helper", "powers": "Invite"}],
                "members": [{"name": "Seed Person", "roles": ["Helpers"]}],
                "security_code": "seeded-code-1", "serving_bot": "Seed Bot"
            }]
        })
        .to_string(),
    )
    .unwrap();
    let seeded = admin(&grid, &["seed", file.to_str().unwrap()]);
    assert_eq!(seeded["avatars"], 2);
    let bot = crate::harness::Bot {
        name: "Seed Bot".into(),
        secret: token.into(),
        uuid: grid::Uuid::nil(),
    };
    grid.login(&bot).await;
    let list = grid.ok(&bot, "listgroups", &[]).await;
    assert!(list.get("groups").ends_with(";Seeded Guild"));
    // Token-only: no access code works, not even an empty one.
    let with_code = crate::harness::Bot {
        secret: "anything-at-all".into(),
        ..bot.clone()
    };
    grid.call(&with_code, "status", &[])
        .await
        .assert_fail("INVALID SECRET");
    // A broken seed changes nothing.
    std::fs::write(
        &file,
        r#"{"avatars": [{"name": "Fine Avatar"}, {"name": "not a valid name at all"}]}"#,
    )
    .unwrap();
    let out = botgrid()
        .args([
            "admin",
            "--database",
            &grid.db.url,
            "seed",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let avatars = admin(&grid, &["avatar", "list"]);
    assert!(!avatars.to_string().contains("Fine Avatar"));

    // The group's Simple Groups code and serving bot, set by the operator.
    let code = admin(&grid, &["group", "set-code", "Builders"])["security_code"]
        .as_str()
        .unwrap()
        .to_owned();
    admin(&grid, &["group", "set-bot", "Builders", "Ada Resident"]);
    let reply = grid
        .simple(&[
            ("action", "send_group_im"),
            ("apikey", &grid.api_key),
            ("group", "Builders"),
            ("secret", &code),
            ("message", "hello"),
        ])
        .await;
    assert_eq!(reply, "OK");
    let listed = admin(&grid, &["group", "list"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["uuid"] == group.as_str())
    );
}

#[tokio::test]
async fn the_operator_grants_money_and_audits_the_books() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    let granted = admin(
        &grid,
        &[
            "money",
            "grant",
            "Ada Resident",
            "250",
            "--comment",
            "opening",
        ],
    );
    assert_eq!(granted["balance"], 250);
    let r = grid.call(&ada, "get_balance", &[]).await;
    assert_eq!(r.get("balance"), "250", "the running server sees the grant");
    assert_eq!(
        admin(&grid, &["money", "balance", "Ada Resident"])["balance"],
        250
    );
    let audit = admin(&grid, &["money", "audit"]);
    assert_eq!(audit["balanced"], true);
    assert_eq!(audit["total"], 250);
    assert_eq!(audit["transfers"], 1);
    // A grant of nothing is refused.
    let out = botgrid()
        .args([
            "admin",
            "--database",
            &grid.db.url,
            "money",
            "grant",
            "Ada Resident",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("amount"));
}
