//! `/v1/groups`, `/v1/forum/...`, `/v1/collaborations`: designer groups with roles,
//! the forum, and collaborations whose members share each sale of their chip.

use super::pagination::{Listing, PageQuery, id_cursor, invalid, limit, path_id, query, text, text_max};
use super::{ApiJson, AppState, AuthUser, DesignerUser, Problem};
use crate::domain::{
    Collaboration, CollaborationMember, ForumPost, ForumThread, Group, GroupMember, GroupRole, Handle, Id, PageRequest,
};
use crate::market::MarketError;
use axum::{
    Json,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_group, list_groups))
        .routes(routes!(add_member, list_members))
        .routes(routes!(open_thread, list_threads))
        .routes(routes!(reply, list_posts))
        .routes(routes!(collaborate, list_collaborations))
}

type Created<T> = Result<(StatusCode, Json<T>), Problem>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    /// 1 to 120 characters.
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[utoipa::path(post, path = "/v1/groups", tag = "community", security(("bearer" = [])), request_body = GroupBody,
    responses((status = 201, body = Group, description = "created, with you as its owner"),
        (status = 422, body = Problem, description = "name empty or too long, unknown field")))]
async fn create_group(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(b): ApiJson<GroupBody>,
) -> Created<Group> {
    text("name", &b.name, 120)?;
    text_max("description", &b.description, 2_000)?;
    let g = state.market.community().create_group(user.id, b.name.trim(), b.description.trim()).await?;
    Ok((StatusCode::CREATED, Json(g)))
}

#[utoipa::path(get, path = "/v1/groups", tag = "community", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Listing<Group>), (status = 400, body = Problem, description = "bad cursor or limit")))]
async fn list_groups(
    State(state): State<AppState>,
    AuthUser(_user): AuthUser,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Listing<Group>>, Problem> {
    let page = query(q)?.page()?;
    Ok(Json(state.market.community().groups(page).await?.into()))
}

/// Whom to add: a designer by `handle` or any account by `user_id` (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    pub handle: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub user_id: Option<Id>,
    /// `member` (default) or `admin`; only owners add admins.
    pub role: Option<GroupRole>,
}

#[utoipa::path(post, path = "/v1/groups/{id}/members", tag = "community", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "group id")), request_body = MemberBody,
    responses((status = 201, body = GroupMember),
        (status = 403, body = Problem, description = "your role in the group may not add this role"),
        (status = 404, body = Problem, description = "no such group or person"),
        (status = 409, body = Problem, description = "already a member"),
        (status = 422, body = Problem, description = "neither or both of handle and user_id, or role owner")))]
async fn add_member(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
    ApiJson(b): ApiJson<MemberBody>,
) -> Created<GroupMember> {
    let group_id = path_id(id, "group")?;
    let role = b.role.unwrap_or(GroupRole::Member);
    if role == GroupRole::Owner {
        return Err(invalid("a group has one owner; add members or admins"));
    }
    let member = match (b.handle.as_deref(), b.user_id) {
        (Some(h), None) => {
            let h = Handle::parse(h).map_err(|_| Problem::not_found("designer not found"))?;
            state.market.profiles().designer_profile(h.as_str()).await?.user_id
        }
        (None, Some(id)) => state.auth.user_by_id(id).await?.id,
        _ => return Err(invalid("give exactly one of handle and user_id")),
    };
    let m = state.market.community().add_member(user.id, group_id, member, role).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[utoipa::path(get, path = "/v1/groups/{id}/members", tag = "community", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "group id")),
    responses((status = 200, body = Listing<GroupMember>), (status = 404, body = Problem, description = "no such group")))]
async fn list_members(
    State(state): State<AppState>,
    AuthUser(_user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
) -> Result<Json<Listing<GroupMember>>, Problem> {
    let group_id = path_id(id, "group")?;
    Ok(Json(Listing::all(state.market.community().members(group_id).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadBody {
    /// 1 to 200 characters.
    pub title: String,
    /// The first post, 1 to 10000 characters.
    pub body: String,
    /// A group you belong to; the global forum when absent.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub group_id: Option<Id>,
}

#[utoipa::path(post, path = "/v1/forum/threads", tag = "community", security(("bearer" = [])), request_body = ThreadBody,
    responses((status = 201, body = ForumThread),
        (status = 403, body = Problem, description = "not a member of the group"),
        (status = 404, body = Problem, description = "no such group"),
        (status = 422, body = Problem, description = "title or body empty or too long, unknown field")))]
async fn open_thread(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(b): ApiJson<ThreadBody>,
) -> Created<ForumThread> {
    text("title", &b.title, 200)?;
    text("body", &b.body, 10_000)?;
    let t = state.market.community().open_thread(user.id, b.group_id, b.title.trim(), &b.body).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// A group's id; the global forum when absent.
    group: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100 (default 20).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/forum/threads", tag = "community", security(("bearer" = [])), params(ThreadQuery),
    responses((status = 200, body = Listing<ForumThread>, description = "newest first"),
        (status = 400, body = Problem, description = "bad group id, cursor or limit")))]
async fn list_threads(
    State(state): State<AppState>,
    AuthUser(_user): AuthUser,
    q: Result<Query<ThreadQuery>, QueryRejection>,
) -> Result<Json<Listing<ForumThread>>, Problem> {
    let q = query(q)?;
    let group = match q.group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => Some(g.parse::<Id>().map_err(|_| {
            Problem::new(StatusCode::BAD_REQUEST, "invalid_query", "group must be a group's id (a UUID)")
        })?),
        None => None,
    };
    let page = PageRequest { after: id_cursor(q.cursor.as_deref())?, limit: limit(q.limit)? };
    Ok(Json(state.market.community().threads(group, page).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostBody {
    /// 1 to 10000 characters.
    pub body: String,
}

#[utoipa::path(post, path = "/v1/forum/threads/{id}/posts", tag = "community", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "thread id")), request_body = PostBody,
    responses((status = 201, body = ForumPost),
        (status = 403, body = Problem, description = "a group thread and you are not a member"),
        (status = 404, body = Problem, description = "no such thread"),
        (status = 422, body = Problem, description = "body empty or too long, unknown field")))]
async fn reply(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
    ApiJson(b): ApiJson<PostBody>,
) -> Created<ForumPost> {
    let thread_id = path_id(id, "thread")?;
    text("body", &b.body, 10_000)?;
    let p = state.market.community().post(user.id, thread_id, &b.body).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(get, path = "/v1/forum/threads/{id}/posts", tag = "community", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "thread id"), PageQuery),
    responses((status = 200, body = Listing<ForumPost>, description = "oldest first"),
        (status = 400, body = Problem, description = "bad cursor or limit"),
        (status = 404, body = Problem, description = "no such thread")))]
async fn list_posts(
    State(state): State<AppState>,
    AuthUser(_user): AuthUser,
    id: Result<Path<Id>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Listing<ForumPost>>, Problem> {
    let thread_id = path_id(id, "thread")?;
    let page = query(q)?.page()?;
    Ok(Json(state.market.community().posts(thread_id, page).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberShare {
    pub designer_handle: String,
    /// 1 to 10000 basis points of each sale.
    pub share_bps: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollaborationBody {
    /// 1 to 200 characters.
    pub title: String,
    /// A draft of yours the collaboration produces; its members become paid contributors.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub chip_id: Option<Id>,
    /// 1 to 50 designers; shares total at most 10000 bps.
    pub members: Vec<MemberShare>,
}

#[utoipa::path(post, path = "/v1/collaborations", tag = "community", security(("bearer" = [])), request_body = CollaborationBody,
    responses((status = 201, body = Collaboration),
        (status = 403, body = Problem, description = "not a designer, or the chip is not yours"),
        (status = 404, body = Problem, description = "no such chip"),
        (status = 422, body = Problem, description = "bad title, unknown designer, shares out of range")))]
async fn collaborate(
    State(state): State<AppState>,
    DesignerUser(user): DesignerUser,
    ApiJson(b): ApiJson<CollaborationBody>,
) -> Created<Collaboration> {
    text("title", &b.title, 200)?;
    if b.members.is_empty() || b.members.len() > 50 {
        return Err(invalid("a collaboration has 1 to 50 members"));
    }
    let mut members = Vec::with_capacity(b.members.len());
    for m in &b.members {
        let share_bps = u16::try_from(m.share_bps)
            .ok()
            .filter(|s| (1..=10_000).contains(s))
            .ok_or_else(|| invalid("each share_bps must be 1 to 10000"))?;
        let unknown = || invalid(format!("no designer has the handle {:?}", m.designer_handle));
        let h = Handle::parse(&m.designer_handle).map_err(|_| unknown())?;
        let designer = match state.market.profiles().designer_profile(h.as_str()).await {
            Ok(d) => d,
            Err(MarketError::NotFound(_)) => return Err(unknown()),
            Err(e) => return Err(e.into()),
        };
        members.push(CollaborationMember { designer_id: designer.user_id, share_bps });
    }
    let c = state.market.community().collaborate(user.id, b.title.trim(), b.chip_id, &members).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(get, path = "/v1/collaborations", tag = "community", security(("bearer" = [])),
    responses((status = 200, body = Listing<Collaboration>, description = "the ones you created or belong to"),
        (status = 401, body = Problem)))]
async fn list_collaborations(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Listing<Collaboration>>, Problem> {
    let items = state.market.community().of_designer(user.id).await?;
    Ok(Json(Listing::all(items)))
}
