//! Access codes and API tokens: changes take effect at once.

use crate::harness::Grid;
use grid::LegacyName;

#[tokio::test]
async fn tokens_work_as_secrets_until_revoked() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let name = LegacyName::parse("Ada").unwrap();
    let (info, token) = grid
        .running
        .engine
        .create_token(&name, "my shop")
        .await
        .unwrap();
    assert!(token.starts_with("bgt_"));
    let with_token = crate::harness::Bot {
        secret: token.clone(),
        ..ada.clone()
    };
    assert!(grid.call(&with_token, "status", &[]).await.ok());
    assert!(
        grid.call(&ada, "status", &[]).await.ok(),
        "the access code still works too"
    );
    grid.running
        .engine
        .revoke_token(&name, info.id)
        .await
        .unwrap();
    grid.call(&with_token, "status", &[])
        .await
        .assert_fail("INVALID SECRET");
    assert!(
        grid.running
            .engine
            .revoke_token(&name, info.id)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_new_access_code_shuts_out_the_old_one_at_once() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    assert!(grid.call(&ada, "status", &[]).await.ok());
    let name = LegacyName::parse("Ada").unwrap();
    let code = grid
        .running
        .engine
        .set_access_code(&name, Some("my-own-code-1".into()))
        .await
        .unwrap();
    assert_eq!(code, "my-own-code-1");
    grid.call(&ada, "status", &[])
        .await
        .assert_fail("INVALID SECRET");
    let renewed = crate::harness::Bot {
        secret: code,
        ..ada.clone()
    };
    assert!(grid.call(&renewed, "status", &[]).await.ok());
    assert!(
        grid.running
            .engine
            .set_access_code(&name, Some("abc".into()))
            .await
            .is_err(),
        "weak codes are refused"
    );
}
