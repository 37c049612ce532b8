//! What a remote bot's grid sends: the session's events turned into botgrid's events.

use super::*;

impl Engine {
    /// Turns what a session reports into events, until it ends; then logs the bot in
    /// again if it should still be in.
    pub(super) async fn pump(
        &self,
        bot: AvatarId,
        generation: u64,
        session: Arc<Session>,
        mut rx: mpsc::Receiver<SessionEvent>,
        waiters: Arc<Waiters>,
    ) {
        let me = session.agent;
        drop(session);
        while let Some(event) = rx.recv().await {
            match event {
                SessionEvent::InstantMessage(im) => {
                    if let Err(e) = self.remote_im(bot, me, im, &waiters).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record an IM from the remote grid");
                    }
                }
                SessionEvent::Chat(chat) => {
                    let heard = matches!(
                        chat.chat_type,
                        chat_type::WHISPER
                            | chat_type::NORMAL
                            | chat_type::SHOUT
                            | chat_type::OWNER_SAY
                    ) && chat.source != me
                        && matches!(chat.source_type, chat_source::AGENT | chat_source::OBJECT)
                        && !chat.message.is_empty();
                    if heard && let Err(e) = self.remote_chat(bot, chat).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record chat from the remote grid");
                    }
                }
                SessionEvent::Names(found) => {
                    for name in found {
                        answer(&waiters.names, &name.id, &name);
                    }
                }
                SessionEvent::AvatarPicker { query, found } => {
                    if let Some(tx) = lock(&waiters.pickers).remove(&query) {
                        let _ = tx.send(found);
                    }
                }
                SessionEvent::World(
                    viewerproto::world_messages::WorldMessage::MoneyBalanceReply {
                        transaction,
                        success,
                        balance,
                        description,
                        source,
                        dest,
                        amount,
                        item_description,
                        ..
                    },
                ) => {
                    let waiter = {
                        let mut waiting = lock(&waiters.money);
                        waiting
                            .iter()
                            .position(|w| match w.wants {
                                Ok(t) => t == transaction,
                                Err((to, n)) => source == me && dest == to && amount == n,
                            })
                            .map(|i| waiting.swap_remove(i))
                    };
                    match waiter {
                        Some(w) => {
                            let _ = w.reply.send((success, balance, description));
                        }
                        None if success && dest == me && source != me && amount > 0 => {
                            // Someone paid the bot.
                            let engine = self.clone();
                            let paid = Paid {
                                transaction,
                                source,
                                amount: amount.into(),
                                balance: balance.into(),
                                comment: item_description,
                            };
                            tokio::spawn(async move {
                                if let Err(e) = engine.remote_paid(bot, paid, true).await {
                                    tracing::warn!(bot = %bot, error = %e, "cannot record a payment from the remote grid");
                                }
                            });
                        }
                        None => {}
                    }
                }
                SessionEvent::Group(GroupMessage::UuidGroupNameReply(names)) => {
                    for (group, name) in names {
                        answer(&waiters.group_lookups, &group, &name);
                    }
                }
                SessionEvent::Group(GroupMessage::AgentGroupDataUpdate { groups, .. }) => {
                    lock(&waiters.group_names)
                        .extend(groups.iter().map(|g| (g.group, g.name.clone())));
                    for w in lock(&waiters.groups).drain(..) {
                        let _ = w.send(groups.clone());
                    }
                }
                SessionEvent::Group(GroupMessage::GroupRoleDataReply {
                    request,
                    role_count,
                    roles,
                    ..
                }) => {
                    let mut waiting = lock(&waiters.roles);
                    if let Some(w) = waiting.get_mut(&request) {
                        w.roles.extend(roles);
                        if w.roles.len() >= usize::try_from(role_count).unwrap_or(0)
                            && let Some(done) = w.done.take()
                        {
                            let _ = done.send(std::mem::take(&mut w.roles));
                        }
                    }
                }
                SessionEvent::Group(
                    GroupMessage::JoinGroupReply { group, success, .. }
                    | GroupMessage::LeaveGroupReply { group, success, .. },
                ) => {
                    let mut waiting = lock(&waiters.memberships);
                    if let Some(i) = waiting.iter().position(|(g, _, _)| *g == group) {
                        let (_, _, tx) = waiting.swap_remove(i);
                        let _ = tx.send(success);
                    }
                }
                SessionEvent::Group(GroupMessage::EjectGroupMemberReply {
                    group, success, ..
                }) => {
                    let mut waiting = lock(&waiters.ejects);
                    if let Some(i) = waiting.iter().position(|(g, _)| *g == group) {
                        let (_, tx) = waiting.swap_remove(i);
                        let _ = tx.send(success);
                    }
                }
                SessionEvent::World(WorldMessage::ScriptDialog(d)) => {
                    lock(&waiters.dialogs).insert(d.object, d.buttons.clone());
                    if let Err(e) = self.remote_dialog(bot, d).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record a dialog from the remote grid");
                    }
                }
                SessionEvent::World(WorldMessage::AvatarSitResponse { object, .. }) => {
                    let mut waiting = lock(&waiters.sits);
                    if let Some(i) = waiting.iter().position(|(o, _)| *o == object) {
                        let (_, tx) = waiting.swap_remove(i);
                        let _ = tx.send(());
                    }
                }
                SessionEvent::Teleported {
                    region,
                    handle,
                    position,
                } => {
                    *lock(&waiters.region) = (region.clone(), handle);
                    // Region ids belong to the region left behind.
                    lock(&waiters.objects).clear();
                    if let Some(tx) = lock(&waiters.teleport).take() {
                        let _ = tx.send(Ok((region, position)));
                    }
                }
                SessionEvent::World(WorldMessage::TeleportLocal { position, .. }) => {
                    let here = lock(&waiters.region).0.clone();
                    if let Some(tx) = lock(&waiters.teleport).take() {
                        let _ = tx.send(Ok((here, position)));
                    }
                }
                SessionEvent::World(WorldMessage::TeleportFailed { reason, .. }) => {
                    if let Some(tx) = lock(&waiters.teleport).take() {
                        let _ = tx.send(Err(reason));
                    }
                }
                SessionEvent::World(
                    WorldMessage::ObjectUpdate { objects, .. }
                    | WorldMessage::ObjectUpdateCompressed { objects, .. },
                ) => {
                    lock(&waiters.objects).extend(objects.iter().map(|o| (o.id, o.local_id)));
                }
                SessionEvent::World(WorldMessage::CoarseLocationUpdate {
                    you, avatars, ..
                }) => {
                    let place =
                        |[x, y, z]: [u8; 3]| [f64::from(x), f64::from(y), f64::from(z) * 4.0];
                    let me = usize::try_from(you)
                        .ok()
                        .and_then(|i| avatars.get(i))
                        .map(|(_, p)| place(*p));
                    let others = avatars
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i16::try_from(*i).ok() != Some(you))
                        .map(|(_, (id, p))| (*id, place(*p)))
                        .collect();
                    *lock(&waiters.nearby) = (me, others);
                }
                SessionEvent::World(WorldMessage::OnlineNotification(ids)) => {
                    set_online(&waiters, &ids, true);
                }
                SessionEvent::World(WorldMessage::OfflineNotification(ids)) => {
                    set_online(&waiters, &ids, false);
                }
                SessionEvent::World(WorldMessage::TerminateFriendship { other, .. }) => {
                    lock(&waiters.friends).remove(&other);
                }
                SessionEvent::World(WorldMessage::MapBlockReply { blocks, .. }) => {
                    for tx in lock(&waiters.maps).drain(..) {
                        let _ = tx.send(blocks.clone());
                    }
                }
                SessionEvent::World(_) | SessionEvent::Group(_) => {}
                SessionEvent::Disconnected { reason } => {
                    self.dropped(bot, generation, &reason).await;
                    return;
                }
            }
        }
    }

    /// A remote avatar as an avatar here: found by key, or made (a person) with its
    /// remote name (a name already taken here gets the key's first digits appended).
    fn mirror(tx: &mut store::Tx<'_>, key: Uuid, full_name: &str) -> Result<Avatar, Error> {
        if let Some(a) = tx.avatar_by_uuid(key)? {
            return Ok(a);
        }
        let mut name = LegacyName::parse(full_name.trim()).unwrap_or_else(|_| {
            LegacyName::from_parts("Remote", key.simple().to_string()[..8].to_owned())
        });
        if tx.avatar_by_name(&name)?.is_some() {
            let suffix = &key.simple().to_string()[..4];
            name = LegacyName::from_parts(name.first(), format!("{}{suffix}", name.last()));
        }
        Ok(tx.insert_avatar(&NewAvatar {
            uuid: key,
            display_name: name.to_string(),
            name,
            kind: AvatarKind::Person,
            about: String::new(),
            home: None,
        })?)
    }

    async fn remote_im(
        &self,
        bot: AvatarId,
        me: Uuid,
        im: InstantMessage,
        waiters: &Waiters,
    ) -> Result<(), Error> {
        if im.agent == me {
            return Ok(());
        }
        match im.dialog {
            dialog::GROUP_INVITATION => {
                lock(&waiters.invitations).insert(im.id, im.agent);
                // Its names are asked of the grid, whose answers this pump carries.
                let engine = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = engine.remote_invitation(bot, im).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record a group invitation from the remote grid");
                    }
                });
                return Ok(());
            }
            dialog::LURE_USER => {
                return self
                    .store()
                    .write(move |tx| {
                        let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                        let from = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                        crate::bot::deliver(
                            tx,
                            &to,
                            Event::TeleportOffered {
                                session: im.id,
                                from,
                                message: im.message,
                                // Grids do not say where in the offer itself.
                                location: String::new(),
                            },
                        )?;
                        Ok(())
                    })
                    .await;
            }
            dialog::FRIENDSHIP_OFFERED
            | dialog::FRIENDSHIP_ACCEPTED
            | dialog::FRIENDSHIP_DECLINED => {
                if im.dialog == dialog::FRIENDSHIP_ACCEPTED {
                    lock(&waiters.friends).insert(im.agent, FriendState::NEW);
                }
                return self
                    .store()
                    .write(move |tx| {
                        let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                        let other = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                        let event = match im.dialog {
                            dialog::FRIENDSHIP_OFFERED => Event::FriendshipOffered {
                                from: other,
                                session: im.id,
                                message: im.message,
                                offer: None,
                            },
                            dialog::FRIENDSHIP_ACCEPTED => Event::FriendshipAccepted { by: other },
                            _ => Event::FriendshipDeclined { by: other },
                        };
                        crate::bot::deliver(tx, &to, event)?;
                        Ok(())
                    })
                    .await;
            }
            dialog::GROUP_NOTICE => {
                // Its names are asked of the grid, whose answers this pump carries.
                let engine = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = engine.remote_notice(bot, im).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record a group notice from the remote grid");
                    }
                });
                return Ok(());
            }
            dialog::SESSION_SEND => {
                // Group chat: the session is the group; the bucket names it.
                let name = String::from_utf8_lossy(&im.binary_bucket)
                    .trim_end_matches('\0')
                    .to_owned();
                return self
                    .store()
                    .write(move |tx| {
                        let from = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                        tx.emit(
                            bot,
                            Event::GroupMessage {
                                post: None,
                                group: GroupRef {
                                    id: GroupId(0),
                                    uuid: im.id,
                                    name,
                                },
                                from,
                                text: im.message,
                                rich: None,
                                file: None,
                                quote: None,
                            },
                        )?;
                        Ok(())
                    })
                    .await;
            }
            _ => {}
        }
        if im.from_group {
            return Ok(());
        }
        if matches!(im.dialog, dialog::TYPING_START | dialog::TYPING_STOP) {
            return self
                .store()
                .write(move |tx| {
                    let from = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                    let event = if im.dialog == dialog::TYPING_START {
                        Event::TypingStarted { from, seconds: 0 }
                    } else {
                        Event::TypingStopped { from }
                    };
                    tx.emit(bot, event)?;
                    Ok(())
                })
                .await;
        }
        if im.dialog != dialog::MESSAGE_FROM_AGENT {
            return Ok(());
        }
        if im.message.is_empty() {
            return Ok(());
        }
        self.store()
            .write(move |tx| {
                let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                let from = Self::mirror(tx, im.agent, &im.from_name)?;
                crate::bot::send_direct(
                    tx,
                    &from,
                    &to,
                    grid::chat::Content::text(im.message),
                    None,
                )?;
                Ok(())
            })
            .await
    }

    /// Tells a bot that just arrived its balance in the remote grid (`balance_changed`
    /// INITIAL), as an embedded bot learns its own.
    pub(super) async fn announce_remote_balance(&self, bot: AvatarId) {
        let balance = match self.run_remote(bot, BotCommand::GetBalance).await {
            Ok(Some(Reply::Balance(b))) => b,
            Ok(_) => return,
            Err(e) => {
                tracing::info!(bot = %bot, error = %e, "no balance from the remote grid");
                return;
            }
        };
        let written = self
            .store()
            .write(move |tx| {
                let me = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                tx.emit(
                    bot,
                    Event::BalanceChanged {
                        transfer: Uuid::nil(),
                        direction: grid::money::Direction::Initial,
                        amount: balance,
                        source: None,
                        destination: me.to_ref(),
                        balance,
                        kind: grid::money::TransferKind::Grant,
                        comment: String::new(),
                    },
                )?;
                Ok(())
            })
            .await;
        if let Err(e) = written {
            tracing::warn!(bot = %bot, error = %e, "cannot record the remote balance");
        }
    }

    /// Who sent a group's IM (an invitation, a notice). Grids send those from the
    /// group's key under the sender's name (`first.last` in Second Life), so the key is
    /// asked of the grid by name; a sender it cannot find is given as the group, as sent.
    async fn remote_group_sender(&self, bot: AvatarId, im: &InstantMessage) -> RemoteSender {
        if let Ok(name) = LegacyName::parse(&im.from_name)
            && let Ok(Some(Reply::Key { key, name })) =
                self.run_remote(bot, BotCommand::NameToKey { name }).await
        {
            return RemoteSender::Found(key, name);
        }
        RemoteSender::AsSent(AvatarRef {
            id: AvatarId(0),
            uuid: im.agent,
            name: im.from_name.clone(),
        })
    }

    /// Records a group notice: `subject|text`; the bucket holds the attachment flag,
    /// the asset type and the group.
    async fn remote_notice(&self, bot: AvatarId, im: InstantMessage) -> Result<(), Error> {
        let group = im
            .binary_bucket
            .get(2..18)
            .and_then(|b| Uuid::from_slice(b).ok())
            .unwrap_or(im.agent);
        let name = self.remote_group_name(bot, group).await;
        let sender = self.remote_group_sender(bot, &im).await;
        let (subject, text) = match im.message.split_once('|') {
            Some((s, t)) => (s.to_owned(), t.to_owned()),
            None => (String::new(), im.message.clone()),
        };
        self.store()
            .write(move |tx| {
                let from = sender.into_ref(tx)?;
                tx.emit(
                    bot,
                    Event::GroupNotice {
                        post: None,
                        group: GroupRef {
                            id: GroupId(0),
                            uuid: group,
                            name,
                        },
                        from,
                        subject,
                        text,
                        attachment: None,
                    },
                )?;
                Ok(())
            })
            .await
    }

    /// Records a group invitation, with the group's name asked of the grid (the
    /// invitation has it only in its text).
    async fn remote_invitation(&self, bot: AvatarId, im: InstantMessage) -> Result<(), Error> {
        // The fee is the bucket's first four bytes, big-endian.
        let fee = im
            .binary_bucket
            .get(..4)
            .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0);
        let group_name = self.remote_group_name(bot, im.agent).await;
        let sender = self.remote_group_sender(bot, &im).await;
        self.store()
            .write(move |tx| {
                let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                let from = sender.into_ref(tx)?;
                let event = Event::GroupInvitation {
                    session: im.id,
                    group: GroupRef {
                        id: GroupId(0),
                        uuid: im.agent,
                        name: group_name,
                    },
                    from,
                    role: String::new(),
                    fee: fee.into(),
                    // The grid's text is the system message, not a note of the inviter's.
                    message: String::new(),
                    system: Some(im.message),
                };
                crate::bot::deliver(tx, &to, event)?;
                Ok(())
            })
            .await
    }

    /// Records a payment to (`incoming`) or by the bot as `balance_changed`; the other
    /// avatar's name is asked of the grid when botgrid does not know it yet.
    pub(super) async fn remote_paid(
        &self,
        bot: AvatarId,
        paid: Paid,
        incoming: bool,
    ) -> Result<(), Error> {
        let source = paid.source;
        let known = self
            .store()
            .read(move |tx| Ok(tx.avatar_by_uuid(source)?.is_some()))
            .await?;
        let name = if known {
            String::new()
        } else {
            self.remote_name(bot, source).await.unwrap_or_default()
        };
        self.store()
            .write(move |tx| {
                let me = tx.avatar(bot)?.ok_or(Error::BotNotFound)?.to_ref();
                let other = if name.is_empty() {
                    tx.avatar_by_uuid(paid.source)?.map(|a| a.to_ref())
                } else {
                    Some(Self::mirror(tx, paid.source, &name)?.to_ref())
                };
                let (source, destination, direction) = if incoming {
                    (other, me, grid::money::Direction::Incoming)
                } else {
                    let other = other.unwrap_or(AvatarRef {
                        id: AvatarId(0),
                        uuid: paid.source,
                        name: String::new(),
                    });
                    (Some(me), other, grid::money::Direction::Outgoing)
                };
                tx.emit(
                    bot,
                    Event::BalanceChanged {
                        transfer: if paid.transaction.is_nil() {
                            Uuid::new_v4()
                        } else {
                            paid.transaction
                        },
                        direction,
                        amount: paid.amount,
                        source,
                        destination,
                        balance: paid.balance,
                        kind: grid::money::TransferKind::Gift,
                        comment: paid.comment,
                    },
                )?;
                Ok(())
            })
            .await
    }

    async fn remote_dialog(
        &self,
        bot: AvatarId,
        d: viewerproto::world_messages::Dialog,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                let owner_name = format!("{} {}", d.first, d.last);
                let owner = match d.owners.first() {
                    Some(key) => Self::mirror(tx, *key, &owner_name)?.to_ref(),
                    None => AvatarRef {
                        id: AvatarId(0),
                        uuid: Uuid::nil(),
                        name: owner_name,
                    },
                };
                tx.emit(
                    bot,
                    Event::ScriptDialog {
                        object: d.object,
                        object_name: d.object_name,
                        owner,
                        text: d.message,
                        buttons: d.buttons,
                        channel: d.channel,
                    },
                )?;
                Ok(())
            })
            .await
    }

    async fn remote_chat(
        &self,
        bot: AvatarId,
        chat: viewerproto::messages::Chat,
    ) -> Result<(), Error> {
        if chat.source_type == chat_source::OBJECT {
            // The owner's name is not in the chat: it is kept by key only (known
            // avatars keep their names).
            return self
                .store()
                .write(move |tx| {
                    let owner = match tx.avatar_by_uuid(chat.owner)? {
                        Some(a) => a.to_ref(),
                        None => AvatarRef {
                            id: AvatarId(0),
                            uuid: chat.owner,
                            name: String::new(),
                        },
                    };
                    tx.emit(
                        bot,
                        Event::ObjectChat {
                            object: chat.source,
                            object_name: chat.from_name,
                            owner,
                            channel: 0,
                            message: chat.message,
                        },
                    )?;
                    Ok(())
                })
                .await;
        }
        self.store()
            .write(move |tx| {
                let speaker = Self::mirror(tx, chat.source, &chat.from_name)?;
                tx.emit(
                    bot,
                    Event::ChatHeard {
                        channel: 0,
                        speaker: speaker.to_ref(),
                        message: chat.message,
                    },
                )?;
                Ok(())
            })
            .await
    }
}

/// The sender of a group's IM: found by name in the grid, or as the grid sent it.
enum RemoteSender {
    Found(Uuid, LegacyName),
    AsSent(AvatarRef),
}

impl RemoteSender {
    /// The sender as an event names it; one found is mirrored as a person here.
    fn into_ref(self, tx: &mut store::Tx<'_>) -> Result<AvatarRef, Error> {
        Ok(match self {
            RemoteSender::Found(key, name) => Engine::mirror(tx, key, &name.to_string())?.to_ref(),
            RemoteSender::AsSent(r) => r,
        })
    }
}

/// Marks friends online or offline, as the grid's notices say.
fn set_online(waiters: &Waiters, ids: &[Uuid], online: bool) {
    let mut friends = lock(&waiters.friends);
    for id in ids {
        if let Some(f) = friends.get_mut(id) {
            f.online = online;
        }
    }
}
