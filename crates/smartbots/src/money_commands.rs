//! The money commands of `/api/bot.html`.

use crate::args::Args;
use crate::commands::{CommandDef, EXAMPLE_UUID, opt, out, render_nothing, req};
use crate::errors::Failure;
use grid::command::{BotCommand, Reply};
use grid::money::MAX_AMOUNT;

/// `amount`: a whole number of L$ (the core checks the range, so the error names it).
fn amount(a: &Args<'_>) -> Result<i64, Failure> {
    let v = a.req("amount")?;
    v.trim().parse::<i64>().map_err(|_| Failure::Invalid {
        name: "amount",
        reason: format!("expected a whole number of L$ from 1 to {MAX_AMOUNT}"),
    })
}

/// Every money command.
pub static MONEY_COMMANDS: &[CommandDef] = &[
    CommandDef {
        action: "get_balance",
        aliases: &[],
        summary: "Reads the bot's L$ balance.",
        params: &[],
        outputs: &[out("balance", "The bot's L$, a whole number.")],
        json_only: false,
        example: &[],
        parse: |_| Ok(BotCommand::GetBalance),
        render: |_, reply, f| {
            if let Reply::Balance(b) = reply {
                f.text("balance", b.to_string());
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "give_money",
        aliases: &[],
        summary: "Pays an avatar L$ from the bot's balance, all or nothing; both get `balance_changed`. With `custom`, asking again with the same `custom` (and the same avatar, amount and comment) answers OK and pays nothing more: a retry after a lost reply is safe.",
        params: &[
            req("avatar", "The avatar to pay (UUID)."),
            req("amount", "L$, a whole number from 1 to 1,000,000,000."),
            opt(
                "comment",
                "Why (at most 255 bytes); shown to both in `balance_changed`.",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("avatar", EXAMPLE_UUID),
            ("amount", "10"),
            ("comment", "Thanks for visiting"),
        ],
        parse: |a| {
            Ok(BotCommand::GiveMoney {
                to: a.req_uuid("avatar")?,
                amount: amount(a)?,
                comment: a.opt("comment").unwrap_or_default().to_owned(),
                tag: a.opt("custom").map(str::to_owned),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
];
