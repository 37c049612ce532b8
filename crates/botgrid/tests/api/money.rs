//! get_balance, give_money, balance_changed, and the books under concurrent payments.

use crate::harness::{Grid, Receiver};

async fn balance(grid: &Grid, bot: &crate::harness::Bot) -> i64 {
    let r = grid.call(bot, "get_balance", &[]).await;
    r.assert_ok_for("get_balance");
    r.get("balance").parse().unwrap()
}

#[tokio::test]
async fn a_payment_moves_money_and_both_sides_hear_of_it() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.grant("Ada Resident", 100).await;
    let ada_hook = Receiver::start().await;
    let lin_hook = Receiver::start().await;
    grid.callback(&ada, &ada_hook.url(), "balance_changed")
        .await;
    grid.callback(&lin, &lin_hook.url(), "balance_changed")
        .await;
    grid.login(&ada).await;
    grid.login(&lin).await;

    // Arriving online, each learns its balance.
    let initial = ada_hook.wait_for("balance_changed", 1).await;
    assert_eq!(initial[0]["direction"], "INITIAL");
    assert_eq!(initial[0]["balance"], "100");
    assert_eq!(initial[0]["amount"], "100");
    assert_eq!(
        lin_hook.wait_for("balance_changed", 1).await[0]["balance"],
        "0"
    );

    let lin_uuid = lin.uuid.to_string();
    grid.call(
        &ada,
        "give_money",
        &[
            ("avatar", &lin_uuid),
            ("amount", "30"),
            ("comment", "rent & tips"),
        ],
    )
    .await
    .assert_ok_for("give_money");
    assert_eq!(balance(&grid, &ada).await, 70);
    assert_eq!(balance(&grid, &lin).await, 30);

    let out = &ada_hook.wait_for("balance_changed", 2).await[1];
    let inc = &lin_hook.wait_for("balance_changed", 2).await[1];
    assert_eq!(out["direction"], "OUTGOING");
    assert_eq!(out["balance"], "70");
    assert_eq!(inc["direction"], "INCOMING");
    assert_eq!(inc["balance"], "30");
    for ev in [out, inc] {
        assert_eq!(ev["amount"], "30");
        assert_eq!(ev["source"], ada.uuid.to_string());
        assert_eq!(ev["destination"], lin_uuid);
        assert_eq!(ev["trx_type"], "5001");
        assert_eq!(ev["comment"], "rent & tips");
    }
    assert_eq!(out["transaction"], inc["transaction"], "one transfer");
    assert_ne!(out["transaction"], "00000000-0000-0000-0000-000000000000");
}

#[tokio::test]
async fn a_payment_is_all_or_nothing_and_never_overdraws() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.grant("Ada Resident", 70).await;
    grid.login(&ada).await;
    let lin_uuid = lin.uuid.to_string();
    let pay = |amount: &'static str| {
        let grid = &grid;
        let ada = &ada;
        let lin_uuid = lin_uuid.clone();
        async move {
            grid.call(
                ada,
                "give_money",
                &[("avatar", &lin_uuid), ("amount", amount)],
            )
            .await
        }
    };
    pay("1000")
        .await
        .assert_fail("Insufficient funds: balance L$70, needed L$1000");
    pay("71")
        .await
        .assert_fail("Insufficient funds: balance L$70, needed L$71");
    pay("0").await.assert_fail(
        "Invalid parameter: amount (must be a whole number of L$ from 1 to 1000000000)",
    );
    pay("-5").await.assert_fail(
        "Invalid parameter: amount (must be a whole number of L$ from 1 to 1000000000)",
    );
    pay("ten").await.assert_fail(
        "Invalid parameter: amount (expected a whole number of L$ from 1 to 1000000000)",
    );
    let me = ada.uuid.to_string();
    grid.call(&ada, "give_money", &[("avatar", &me), ("amount", "5")])
        .await
        .assert_fail("A bot cannot pay itself");
    grid.call(
        &ada,
        "give_money",
        &[
            ("avatar", smartbots::commands::EXAMPLE_UUID),
            ("amount", "5"),
        ],
    )
    .await
    .assert_fail(&format!(
        "Avatar not found: {}",
        smartbots::commands::EXAMPLE_UUID
    ));
    grid.call(&ada, "give_money", &[("amount", "5")])
        .await
        .assert_fail("Missing parameter: avatar");
    assert_eq!(balance(&grid, &ada).await, 70, "nothing moved");
    // All of it may go; then nothing more.
    pay("70").await.assert_ok_for("give_money");
    pay("1")
        .await
        .assert_fail("Insufficient funds: balance L$0, needed L$1");
    let audit = grid.running.engine.audit_money().await.unwrap();
    assert!(audit.mismatches.is_empty(), "{audit:?}");
    assert_eq!(audit.total, 70);
}

#[tokio::test]
async fn a_payment_repeated_with_its_custom_tag_is_made_once() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.grant("Ada Resident", 100).await;
    grid.login(&ada).await;
    let lin_uuid = lin.uuid.to_string();
    let params = [
        ("avatar", lin_uuid.as_str()),
        ("amount", "25"),
        ("comment", "order 17"),
        ("custom", "order-17"),
    ];
    for _ in 0..3 {
        let r = grid.call(&ada, "give_money", &params).await;
        r.assert_ok_for("give_money");
        assert_eq!(r.get("custom"), "order-17");
    }
    assert_eq!(balance(&grid, &ada).await, 75, "paid once");
    // The same tag for something else is refused, not paid.
    grid.call(
        &ada,
        "give_money",
        &[
            ("avatar", &lin_uuid),
            ("amount", "26"),
            ("custom", "order-17"),
        ],
    )
    .await
    .assert_fail("custom was already used for a different payment");
    // Another tag is another payment.
    grid.call(
        &ada,
        "give_money",
        &[
            ("avatar", &lin_uuid),
            ("amount", "25"),
            ("comment", "order 17"),
            ("custom", "order-18"),
        ],
    )
    .await
    .assert_ok_for("give_money");
    assert_eq!(balance(&grid, &ada).await, 50);
}

#[tokio::test]
async fn concurrent_payments_keep_the_books_balanced() {
    let grid = Grid::start().await;
    let names = ["Pay One", "Pay Two", "Pay Three", "Pay Four"];
    let mut bots = Vec::new();
    for n in names {
        let b = grid.bot(n).await;
        grid.grant(n, 100).await;
        grid.login(&b).await;
        bots.push(b);
    }
    // 200 payments at once in a ring, of 1 to 20 L$: some find the payer short.
    let mut calls = Vec::new();
    for i in 0..200usize {
        let from = bots[i % 4].clone();
        let to = bots[(i * 7 + 1) % 4].uuid.to_string();
        let amount = (1 + (i * 13) % 20).to_string();
        let grid = &grid;
        calls.push(async move {
            if from.uuid.to_string() == to {
                return true;
            }
            let r = grid
                .call(&from, "give_money", &[("avatar", &to), ("amount", &amount)])
                .await;
            if !r.ok() {
                assert!(
                    r.get("resulttext").starts_with("Insufficient funds"),
                    "{}",
                    r.raw
                );
            }
            r.ok()
        });
    }
    let done = futures_util::future::join_all(calls).await;
    assert!(
        done.iter().filter(|ok| **ok).count() > 50,
        "most payments went"
    );
    let mut total = 0;
    for b in &bots {
        let have = balance(&grid, b).await;
        assert!(have >= 0);
        total += have;
    }
    assert_eq!(total, 400, "no L$ made or lost");
    let audit = grid.running.engine.audit_money().await.unwrap();
    assert!(audit.mismatches.is_empty(), "{audit:?}");
    assert_eq!(audit.total, 400);
}
