//! What a remote bot is asked to do, carried out by its session after the command's
//! (empty) transaction.

use super::*;

impl Engine {
    /// An avatar's name as the bot's grid knows it. Boxed: payments are recorded from
    /// a task `run_remote` starts, a cycle whose future the compiler cannot otherwise
    /// see to be `Send`.
    pub(super) fn remote_name(
        &self,
        bot: AvatarId,
        key: Uuid,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send + '_>> {
        Box::pin(async move {
            match self.run_remote(bot, BotCommand::KeyToName { key }).await {
                Ok(Some(Reply::Name { name, .. })) => Some(name.to_string()),
                _ => None,
            }
        })
    }

    /// Ends a teleport: the bot's new location and a `teleport_status` event, or the
    /// failure. `asked`: the place asked for (its coordinates are kept; a teleport
    /// home takes the grid's).
    async fn teleport_outcome(
        &self,
        bot: AvatarId,
        outcome: Result<Result<Arrival, oneshot::error::RecvError>, tokio::time::error::Elapsed>,
        asked: Option<grid::Location>,
    ) -> Result<Option<Reply>, Error> {
        let (status, message, result) = match outcome {
            Ok(Ok(Ok((region, at)))) => (
                grid::region::TeleportStatus::Finished,
                String::new(),
                Ok(match asked {
                    Some(to) => grid::Location { region, ..to },
                    None => grid::Location {
                        region,
                        x: at[0].into(),
                        y: at[1].into(),
                        z: at[2].into(),
                    },
                }),
            ),
            Ok(Ok(Err(reason))) => (
                grid::region::TeleportStatus::Failed,
                reason.clone(),
                Err(Error::RemoteGrid { message: reason }),
            ),
            _ => (
                grid::region::TeleportStatus::Failed,
                "the region did not answer the teleport".to_owned(),
                Err(Error::RemoteGrid {
                    message: "the region did not answer the teleport".into(),
                }),
            ),
        };
        let at = result.as_ref().ok().cloned();
        self.store()
            .write(move |tx| {
                if let Some(place) = &at {
                    tx.set_location(bot, place, false)?;
                }
                let location = tx
                    .avatar(bot)?
                    .and_then(|a| a.location)
                    .map(|l| l.to_string())
                    .unwrap_or_default();
                tx.emit(
                    bot,
                    Event::TeleportProgress {
                        status,
                        message,
                        location,
                    },
                )?;
                Ok(())
            })
            .await?;
        result.map(|_| None)
    }

    /// Carries out a routed command after its transaction; `Some` replaces the reply.
    pub(crate) async fn run_remote(
        &self,
        bot: AvatarId,
        command: BotCommand,
    ) -> Result<Option<Reply>, Error> {
        let (session, waiters) = {
            let live = lock(&self.inner.remote.live);
            let l = live.get(&bot).ok_or(Error::BotOffline)?;
            (l.session.clone(), l.waiters.clone())
        };
        let wait = self.config().remote_lookup_wait;
        let closed = |e: viewerproto::Error| Error::RemoteGrid {
            message: e.to_string(),
        };
        let lookup_name = |name: LegacyName| {
            let session = session.clone();
            let waiters = waiters.clone();
            async move {
                let query = Uuid::new_v4();
                let (tx, rx) = oneshot::channel();
                lock(&waiters.pickers).insert(query, tx);
                session
                    .send(Message::AvatarPickerRequest {
                        agent: session.agent,
                        session: session.session,
                        query,
                        name: name.to_string(),
                    })
                    .await
                    .map_err(closed)?;
                let found = tokio::time::timeout(wait, rx).await;
                lock(&waiters.pickers).remove(&query);
                let found = found.map_err(|_| Error::RemoteGrid {
                    message: "the region did not answer the name search".into(),
                })?;
                let wanted = name.key();
                found
                    .unwrap_or_default()
                    .into_iter()
                    .find(|n| LegacyName::from_parts(&n.first, &n.last).key() == wanted)
                    .map(|n| (n.id, LegacyName::from_parts(n.first, n.last)))
                    .ok_or(Error::NameNotFound {
                        normalized: name.capitalized().to_string(),
                    })
            }
        };
        match command {
            BotCommand::Im { to, message } => {
                let to = match to {
                    AvatarSelector::Key(k) => k,
                    AvatarSelector::Name(n) => lookup_name(n).await?.0,
                };
                if to == session.agent {
                    return Err(Error::NotForSelf {
                        what: "send an IM to",
                    });
                }
                send_im(&session, to, dialog::MESSAGE_FROM_AGENT, None, &message).await?;
                Ok(None)
            }
            BotCommand::SayChat { channel, message } => {
                session
                    .send(Message::ChatFromViewer {
                        agent: session.agent,
                        session: session.session,
                        message,
                        chat_type: chat_type::NORMAL,
                        channel,
                    })
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::KeyToName { key } => {
                let mut names = self
                    .remote_names(&session, &waiters, std::iter::once(key))
                    .await?;
                let name = names.remove(&key).ok_or(Error::AvatarNotFound {
                    who: key.to_string(),
                })?;
                Ok(Some(Reply::Name { key, name }))
            }
            BotCommand::NameToKey { name } => {
                let (key, name) = lookup_name(name).await?;
                Ok(Some(Reply::Key { key, name }))
            }
            BotCommand::TypingStart { to, .. } => {
                send_im(&session, to, dialog::TYPING_START, None, "typing").await?;
                Ok(None)
            }
            BotCommand::TypingStop { to } => {
                send_im(&session, to, dialog::TYPING_STOP, None, "typing").await?;
                Ok(None)
            }
            BotCommand::GetBalance | BotCommand::GiveMoney { .. } => {
                let (reply, answer) = oneshot::channel();
                let (wants, message) = match &command {
                    BotCommand::GiveMoney {
                        to,
                        amount,
                        comment,
                        ..
                    } => {
                        let amount = i32::try_from(*amount)
                            .map_err(|_| Error::invalid("amount", "too large"))?;
                        (
                            Err((*to, amount)),
                            Message::World(WorldMessage::MoneyTransferRequest {
                                agent: session.agent,
                                session: session.session,
                                source: session.agent,
                                dest: *to,
                                flags: 0,
                                amount,
                                transaction_type: TRANSACTION_GIFT,
                                description: comment.clone(),
                            }),
                        )
                    }
                    _ => {
                        let transaction = Uuid::new_v4();
                        (
                            Ok(transaction),
                            Message::World(WorldMessage::MoneyBalanceRequest {
                                agent: session.agent,
                                session: session.session,
                                transaction,
                            }),
                        )
                    }
                };
                lock(&waiters.money).push(MoneyWaiter { wants, reply });
                session.send(message).await.map_err(closed)?;
                let got = tokio::time::timeout(wait, answer).await;
                lock(&waiters.money).retain(|w| !w.reply.is_closed());
                match got {
                    Ok(Ok((true, balance, _))) => Ok(match command {
                        BotCommand::GetBalance => Some(Reply::Balance(balance.into())),
                        BotCommand::GiveMoney {
                            to,
                            amount,
                            comment,
                            ..
                        } => {
                            let engine = self.clone();
                            let paid = Paid {
                                transaction: Uuid::nil(),
                                source: to,
                                amount,
                                balance: balance.into(),
                                comment,
                            };
                            tokio::spawn(async move {
                                if let Err(e) = engine.remote_paid(bot, paid, false).await {
                                    tracing::warn!(bot = %bot, error = %e, "cannot record a payment to the remote grid");
                                }
                            });
                            None
                        }
                        _ => None,
                    }),
                    Ok(Ok((false, _, why))) => Err(Error::RemoteGrid {
                        message: if why.is_empty() {
                            "the payment was refused".into()
                        } else {
                            why
                        },
                    }),
                    // A stock OpenSimulator has no money service and never answers; a
                    // payment may still be made late, so a retry could pay twice.
                    _ => Err(Error::RemoteGrid {
                        message: match command {
                            BotCommand::GiveMoney { .. } => "the grid did not confirm the payment (it may have no money service); check the balance before paying again".into(),
                            _ => "the grid did not answer the balance request (it may have no money service)".into(),
                        },
                    }),
                }
            }
            BotCommand::MyGroups => {
                let (tx, rx) = oneshot::channel();
                lock(&waiters.groups).push(tx);
                session
                    .send(Message::Group(GroupMessage::AgentDataUpdateRequest {
                        agent: session.agent,
                        session: session.session,
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.groups).retain(|w| !w.is_closed());
                let groups = got.ok().and_then(Result::ok).ok_or(Error::RemoteGrid {
                    message: "the region did not list the bot's groups".into(),
                })?;
                Ok(Some(Reply::Groups(
                    groups.into_iter().map(my_group).collect(),
                )))
            }
            BotCommand::GroupInvite {
                group,
                avatar,
                role,
                ..
            } => {
                session
                    .send(Message::Group(GroupMessage::InviteGroupRequest {
                        agent: session.agent,
                        session: session.session,
                        group,
                        invites: vec![(avatar, role)],
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::GroupEject { group, avatar, .. } => {
                let (tx, rx) = oneshot::channel();
                lock(&waiters.ejects).push((group, tx));
                session
                    .send(Message::Group(GroupMessage::EjectGroupMemberRequest {
                        agent: session.agent,
                        session: session.session,
                        group,
                        ejectees: vec![avatar],
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.ejects).retain(|(_, w)| !w.is_closed());
                match got {
                    Ok(Ok(true)) => Ok(None),
                    Ok(Ok(false)) => Err(Error::RemoteGrid {
                        message: "the grid refused the ejection".into(),
                    }),
                    _ => Err(Error::RemoteGrid {
                        message: "the region did not answer the ejection".into(),
                    }),
                }
            }
            BotCommand::SendGroupMessage { group, message } => {
                send_im(&session, group, dialog::SESSION_SEND, Some(group), &message).await?;
                Ok(None)
            }
            BotCommand::Sit {
                object: Some(object),
            } => {
                let (tx, rx) = oneshot::channel();
                lock(&waiters.sits).push((object, tx));
                session
                    .send(Message::World(WorldMessage::AgentRequestSit {
                        agent: session.agent,
                        session: session.session,
                        target: object,
                        offset: [0.0; 3],
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.sits).retain(|(_, w)| !w.is_closed());
                if !matches!(got, Ok(Ok(()))) {
                    return Err(Error::RemoteGrid {
                        message: "the region did not let the bot sit there".into(),
                    });
                }
                session
                    .send(Message::World(WorldMessage::AgentSit {
                        agent: session.agent,
                        session: session.session,
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::OfferFriendship { to, message } => {
                let offer = Uuid::new_v4();
                send_im(
                    &session,
                    to,
                    dialog::FRIENDSHIP_OFFERED,
                    Some(offer),
                    &message,
                )
                .await?;
                Ok(None)
            }
            BotCommand::AnswerFriendship {
                from,
                session: transaction,
                accept,
            } => {
                if accept {
                    lock(&waiters.friends).insert(from, FriendState::NEW);
                }
                let m = if accept {
                    WorldMessage::AcceptFriendship {
                        agent: session.agent,
                        session: session.session,
                        transaction,
                        folders: vec![],
                    }
                } else {
                    WorldMessage::DeclineFriendship {
                        agent: session.agent,
                        session: session.session,
                        transaction,
                    }
                };
                session.send(Message::World(m)).await.map_err(closed)?;
                Ok(None)
            }
            BotCommand::SendNotice {
                group,
                subject,
                text,
                ..
            } => {
                let notice = format!("{subject}|{text}");
                send_im(&session, group, dialog::GROUP_NOTICE, Some(group), &notice).await?;
                Ok(None)
            }
            BotCommand::Teleport {
                to: grid::StartLocation::Home,
                ..
            } => {
                let (tx, rx) = oneshot::channel();
                *lock(&waiters.teleport) = Some(tx);
                session
                    .send(Message::World(WorldMessage::TeleportLandmarkRequest {
                        agent: session.agent,
                        session: session.session,
                        landmark: Uuid::nil(),
                    }))
                    .await
                    .map_err(closed)?;
                self.teleport_outcome(bot, tokio::time::timeout(wait * 3, rx).await, None)
                    .await
            }
            BotCommand::Teleport {
                to: grid::StartLocation::At(to),
                ..
            } => {
                // The region's handle: from the map, unless it is where the bot is.
                let here = lock(&waiters.region).clone();
                let handle =
                    if grid::region::region_key(&here.0) == grid::region::region_key(&to.region) {
                        here.1
                    } else {
                        let (tx, rx) = oneshot::channel();
                        lock(&waiters.maps).push(tx);
                        session
                            .send(Message::World(WorldMessage::MapNameRequest {
                                agent: session.agent,
                                session: session.session,
                                name: to.region.clone(),
                            }))
                            .await
                            .map_err(closed)?;
                        let got = tokio::time::timeout(wait, rx).await;
                        lock(&waiters.maps).retain(|w| !w.is_closed());
                        let key = grid::region::region_key(&to.region);
                        got.ok()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|b| grid::region::region_key(&b.name) == key)
                            .map(|b| b.handle())
                            .ok_or_else(|| Error::RegionNotFound {
                                name: to.region.clone(),
                            })?
                    };
                let (tx, rx) = oneshot::channel();
                *lock(&waiters.teleport) = Some(tx);
                session
                    .send(Message::World(WorldMessage::TeleportLocationRequest {
                        agent: session.agent,
                        session: session.session,
                        region_handle: handle,
                        position: [to.x as f32, to.y as f32, to.z as f32],
                        look_at: [1.0, 0.0, 0.0],
                    }))
                    .await
                    .map_err(closed)?;
                // A teleport takes longer than a look-up: the hand-over to another
                // region is a new circuit.
                self.teleport_outcome(bot, tokio::time::timeout(wait * 3, rx).await, Some(to))
                    .await
            }
            BotCommand::GroupRoles { group } => {
                let request = Uuid::new_v4();
                let (tx, rx) = oneshot::channel();
                lock(&waiters.roles).insert(
                    request,
                    RolesWaiter {
                        roles: vec![],
                        done: Some(tx),
                    },
                );
                session
                    .send(Message::Group(GroupMessage::GroupRoleDataRequest {
                        agent: session.agent,
                        session: session.session,
                        group,
                        request,
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.roles).remove(&request);
                let roles = got.ok().and_then(Result::ok).ok_or(Error::RemoteGrid {
                    message: "the region did not list the group's roles".into(),
                })?;
                Ok(Some(Reply::Roles(roles.into_iter().map(role).collect())))
            }
            BotCommand::GroupJoin { group } | BotCommand::GroupLeave { group } => {
                let join = matches!(command, BotCommand::GroupJoin { .. });
                let (tx, rx) = oneshot::channel();
                lock(&waiters.memberships).push((group, join, tx));
                let (agent, s) = (session.agent, session.session);
                let m = if join {
                    GroupMessage::JoinGroupRequest {
                        agent,
                        session: s,
                        group,
                    }
                } else {
                    GroupMessage::LeaveGroupRequest {
                        agent,
                        session: s,
                        group,
                    }
                };
                session.send(Message::Group(m)).await.map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.memberships).retain(|(_, _, w)| !w.is_closed());
                match got {
                    Ok(Ok(true)) => Ok(None),
                    Ok(Ok(false)) => Err(Error::RemoteGrid {
                        message: if join {
                            "the grid did not let the bot join".into()
                        } else {
                            "the grid did not let the bot leave".into()
                        },
                    }),
                    _ => Err(Error::RemoteGrid {
                        message: "the region did not answer".into(),
                    }),
                }
            }
            BotCommand::InventoryList { folder, filter } => {
                let contents = session.fetch_folder(folder).await.map_err(closed)?;
                let entries = inventory_entries(bot, contents)
                    .into_iter()
                    .filter(|e| filter.keeps(e.name(), e.uuid()))
                    .collect();
                Ok(Some(Reply::Inventory(entries)))
            }
            BotCommand::TeleportOfferAnswer {
                session: lure,
                accept: true,
                ..
            } => {
                let (tx, rx) = oneshot::channel();
                *lock(&waiters.teleport) = Some(tx);
                session
                    .send(Message::World(WorldMessage::TeleportLureRequest {
                        agent: session.agent,
                        session: session.session,
                        lure,
                        flags: viewerproto::world_messages::TELEPORT_VIA_LURE,
                    }))
                    .await
                    .map_err(closed)?;
                self.teleport_outcome(bot, tokio::time::timeout(wait * 3, rx).await, None)
                    .await
            }
            BotCommand::TeleportOfferAnswer {
                from,
                session: lure,
                accept: false,
            } => {
                send_im(&session, from, dialog::LURE_DECLINED, Some(lure), "").await?;
                Ok(None)
            }
            BotCommand::SetRole {
                group,
                role,
                member,
            }
            | BotCommand::RevokeRole {
                group,
                role,
                member,
            } => {
                let change = if matches!(command, BotCommand::SetRole { .. }) {
                    viewerproto::group_messages::ROLE_ADD
                } else {
                    viewerproto::group_messages::ROLE_REMOVE
                };
                session
                    .send(Message::Group(GroupMessage::GroupRoleChanges {
                        agent: session.agent,
                        session: session.session,
                        group,
                        changes: vec![(role, member, change)],
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::OfferTeleport { to, message } => {
                session
                    .send(Message::World(WorldMessage::StartLure {
                        agent: session.agent,
                        session: session.session,
                        lure_type: 0,
                        message,
                        targets: vec![to],
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::TouchPrim { object } => {
                let local_id = lock(&waiters.objects)
                    .get(&object)
                    .copied()
                    .ok_or_else(|| Error::ObjectNotFound {
                        what: object.to_string(),
                    })?;
                let (agent, s) = (session.agent, session.session);
                session
                    .send(Message::World(WorldMessage::ObjectGrab {
                        agent,
                        session: s,
                        local_id,
                        offset: [0.0; 3],
                    }))
                    .await
                    .map_err(closed)?;
                session
                    .send(Message::World(WorldMessage::ObjectDeGrab {
                        agent,
                        session: s,
                        local_id,
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::ActivateGroup { group } => {
                session
                    .send(Message::Group(GroupMessage::ActivateGroup {
                        agent: session.agent,
                        session: session.session,
                        group: group.unwrap_or_default(),
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::Sit { object: None } => {
                let mut update = viewerproto::messages::AgentUpdate::standing(
                    session.agent,
                    session.session,
                    [128.0, 128.0, 25.0],
                );
                update.control_flags = viewerproto::messages::CONTROL_STAND_UP;
                session
                    .send(Message::AgentUpdate(update))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::ReplyDialog {
                object,
                channel,
                button,
            } => {
                let index = lock(&waiters.dialogs)
                    .get(&object)
                    .and_then(|b| b.iter().position(|l| *l == button))
                    .unwrap_or(0);
                session
                    .send(Message::World(WorldMessage::ScriptDialogReply {
                        agent: session.agent,
                        session: session.session,
                        object,
                        channel,
                        button_index: index as i32,
                        button_label: button,
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            BotCommand::AnswerGroupInvite {
                session: invite,
                accept,
                ..
            } => {
                let group = lock(&waiters.invitations)
                    .remove(&invite)
                    .ok_or(Error::InvitationNotFound)?;
                let kind = if accept {
                    dialog::GROUP_INVITATION_ACCEPT
                } else {
                    dialog::GROUP_INVITATION_DECLINE
                };
                send_im(&session, group, kind, Some(invite), "").await?;
                Ok(None)
            }
            BotCommand::Friends => {
                let friends: Vec<(Uuid, FriendState)> = lock(&waiters.friends)
                    .iter()
                    .map(|(id, f)| (*id, *f))
                    .collect();
                let names = self
                    .remote_names(&session, &waiters, friends.iter().map(|f| f.0))
                    .await?;
                use viewerproto::login::rights::{MODIFY_OBJECTS, SEE_ON_MAP, SEE_ONLINE};
                let rights = |bits: u32| grid::friendship::Rights {
                    see_online: bits & SEE_ONLINE != 0,
                    see_on_map: bits & SEE_ON_MAP != 0,
                    modify_objects: bits & MODIFY_OBJECTS != 0,
                };
                let mut list: Vec<grid::friendship::Friend> = friends
                    .into_iter()
                    .map(|(id, f)| grid::friendship::Friend {
                        avatar: AvatarRef {
                            id: AvatarId(0),
                            uuid: id,
                            name: names.get(&id).map(|n| n.to_string()).unwrap_or_default(),
                        },
                        // Grids tell of friends who let the bot see them online.
                        online: f.online && f.has & SEE_ONLINE != 0,
                        their_rights: rights(f.has),
                        my_rights: rights(f.given),
                    })
                    .collect();
                list.sort_by(|a, b| a.avatar.name.cmp(&b.avatar.name));
                Ok(Some(Reply::Friends(list)))
            }
            BotCommand::CancelFriendship { friend } => {
                session
                    .send(Message::World(WorldMessage::TerminateFriendship {
                        agent: session.agent,
                        session: session.session,
                        other: friend,
                    }))
                    .await
                    .map_err(closed)?;
                lock(&waiters.friends).remove(&friend);
                Ok(None)
            }
            BotCommand::NearbyAvatars => {
                let (me, others) = lock(&waiters.nearby).clone();
                let region = lock(&waiters.region).0.clone();
                let me = match me {
                    Some(p) => p,
                    // Not listed yet: where botgrid last put the bot.
                    None => {
                        let at = self
                            .store()
                            .read(move |tx| Ok(tx.avatar(bot)?.and_then(|a| a.location)))
                            .await?
                            .ok_or(Error::BotOffline)?;
                        [at.x, at.y, at.z]
                    }
                };
                let at = grid::Location {
                    region: region.clone(),
                    x: me[0],
                    y: me[1],
                    z: me[2],
                };
                let around: Vec<(Uuid, grid::Location, f64)> = others
                    .into_iter()
                    .filter_map(|(id, [x, y, z])| {
                        let location = grid::Location {
                            region: region.clone(),
                            x,
                            y,
                            z,
                        };
                        let distance = grid::region::distance(&at, &location)?;
                        (distance <= grid::region::SCAN_RANGE).then_some((id, location, distance))
                    })
                    .collect();
                // Whoever the grid does not name in time is left out.
                let names = self
                    .remote_names(&session, &waiters, around.iter().map(|a| a.0))
                    .await?;
                let mut seen: Vec<grid::command::NearbyAvatar> = around
                    .into_iter()
                    .filter_map(|(id, location, distance)| {
                        Some(grid::command::NearbyAvatar {
                            name: names.get(&id)?.to_string(),
                            uuid: id,
                            location,
                            distance,
                            // Coarse locations do not say.
                            sitting: false,
                        })
                    })
                    .collect();
                seen.sort_by(|a, b| a.distance.total_cmp(&b.distance));
                Ok(Some(Reply::Nearby(seen)))
            }
            other => Err(Error::NotInRemoteGrid {
                what: variant_name(&other),
            }),
        }
    }
}

/// A command's variant name: what the command is, in the core's words.
fn variant_name(command: &BotCommand) -> String {
    format!("{command:?}")
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

impl Engine {
    /// The names of avatars, asked of the grid in one `UUIDNameRequest`; those it does
    /// not name within the look-up wait are missing.
    async fn remote_names(
        &self,
        session: &Session,
        waiters: &Waiters,
        ids: impl Iterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, LegacyName>, Error> {
        let mut asked = Vec::new();
        for id in ids {
            let (tx, rx) = oneshot::channel();
            lock(&waiters.names).push((id, tx));
            asked.push((id, rx));
        }
        let mut names = HashMap::new();
        if asked.is_empty() {
            return Ok(names);
        }
        let ids: Vec<Uuid> = asked.iter().map(|(id, _)| *id).collect();
        // Requests stay well within one datagram (the protocol's MTU is 1,400 bytes), as
        // a viewer's do: 50 keys are 800 bytes, and the names that answer them fit too.
        for chunk in ids.chunks(50) {
            if let Err(e) = session.send(Message::UuidNameRequest(chunk.to_vec())).await {
                drop(asked);
                lock(&waiters.names).retain(|(_, tx)| !tx.is_closed());
                return Err(Error::RemoteGrid {
                    message: e.to_string(),
                });
            }
        }
        let deadline = tokio::time::Instant::now() + self.config().remote_lookup_wait;
        for (id, rx) in asked {
            if let Ok(Ok(n)) = tokio::time::timeout_at(deadline, rx).await {
                names.insert(id, LegacyName::from_parts(n.first, n.last));
            }
        }
        lock(&waiters.names).retain(|(_, tx)| !tx.is_closed());
        Ok(names)
    }

    /// A group's name: from the bot's own groups, else asked of the grid; empty when
    /// the grid does not answer in time.
    pub(super) async fn remote_group_name(&self, bot: AvatarId, group: Uuid) -> String {
        let Some((session, waiters)) = lock(&self.inner.remote.live)
            .get(&bot)
            .map(|l| (l.session.clone(), l.waiters.clone()))
        else {
            return String::new();
        };
        if let Some(name) = lock(&waiters.group_names).get(&group) {
            return name.clone();
        }
        let (tx, rx) = oneshot::channel();
        lock(&waiters.group_lookups).push((group, tx));
        let asked = session
            .send(Message::Group(GroupMessage::UuidGroupNameRequest(vec![
                group,
            ])))
            .await;
        let name = match asked {
            Ok(()) => tokio::time::timeout(self.config().remote_lookup_wait, rx).await,
            Err(_) => return String::new(),
        };
        lock(&waiters.group_lookups).retain(|(_, tx)| !tx.is_closed());
        match name {
            Ok(Ok(name)) => name,
            _ => String::new(),
        }
    }
}

/// Sends an IM of a dialog kind from the bot, with its name; `id` is the IM's session
/// (`None`: the one of the two agents, as for plain IMs).
async fn send_im(
    session: &Session,
    to: Uuid,
    kind: u8,
    id: Option<Uuid>,
    message: &str,
) -> Result<(), Error> {
    let from_name = format!("{} {}", session.first, session.last);
    let mut im = InstantMessage::text(session.agent, session.session, &from_name, to, message);
    im.dialog = kind;
    if let Some(id) = id {
        im.id = id;
    }
    session
        .send(Message::ImprovedInstantMessage(im))
        .await
        .map_err(|e| Error::RemoteGrid {
            message: e.to_string(),
        })
}

/// One of the bot's groups as the remote grid lists it. Remote groups have no row
/// here (id 0): the listing carries what the grid tells (key, name, powers, notices).
fn my_group(m: Membership) -> grid::command::MyGroup {
    grid::command::MyGroup {
        group: Group {
            id: GroupId(0),
            uuid: m.group,
            name: m.name,
            charter: String::new(),
            insignia: m.insignia,
            open_enrollment: false,
            fee: 0,
            mature: false,
            founder: AvatarId(0),
            created: grid::Timestamp(0),
        },
        active: false,
        powers: Powers(m.powers as i64),
        roles: vec![],
        in_profile: true,
        accept_notices: m.accept_notices,
    }
}

/// A role as the remote grid lists it (no row here: id 0).
fn role(r: viewerproto::group_messages::Role) -> grid::group::Role {
    grid::group::Role {
        id: grid::group::RoleId(0),
        uuid: r.id,
        group: GroupId(0),
        kind: if r.id.is_nil() {
            grid::group::RoleKind::Everyone
        } else {
            grid::group::RoleKind::Custom
        },
        name: r.name,
        title: r.title,
        description: r.description,
        powers: Powers(r.powers as i64),
    }
}

/// A remote folder's contents as inventory entries (no rows here: ids 0). Items of
/// types botgrid does not have are left out.
fn inventory_entries(
    bot: AvatarId,
    c: viewerproto::caps::FolderContents,
) -> Vec<grid::inventory::Entry> {
    use grid::inventory::{AssetType, Entry, Folder, Item, Perms};
    let folders = c.folders.into_iter().map(|f| {
        Entry::Folder(Folder {
            id: 0,
            uuid: f.id,
            owner: bot,
            parent: None,
            name: f.name,
            system: None,
        })
    });
    let items = c.items.into_iter().filter_map(|i| {
        // The protocol's asset type numbers.
        let asset_type = match i.kind {
            0 => AssetType::Texture,
            1 => AssetType::Sound,
            2 => AssetType::CallingCard,
            3 => AssetType::Landmark,
            5 => AssetType::Clothing,
            6 => AssetType::Object,
            7 => AssetType::Notecard,
            10 => AssetType::Script,
            13 => AssetType::BodyPart,
            20 => AssetType::Animation,
            21 => AssetType::Gesture,
            _ => return None,
        };
        Some(Entry::Item(Item {
            id: 0,
            uuid: i.id,
            owner: bot,
            folder: Some(0),
            asset_type,
            wearable: None,
            asset: i.asset,
            name: i.name,
            description: i.description,
            creator: None,
            perms: Perms(i64::from(i.owner_mask) & Perms::ALL.0),
            next_perms: Perms(i64::from(i.next_owner_mask) & Perms::ALL.0),
            worn: false,
            created: grid::Timestamp(i.created.saturating_mul(1000)),
            links: 1,
        }))
    });
    folders.chain(items).collect()
}
