//! `GET /api/labs` and `GET /api/labs/{lab}`: the lab definitions, texts in both languages.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;

use crate::i18n::{ErrorCode, Text};
use crate::lab::LoadedLab;
use crate::web::{AppError, AppState};

/// A lab as the API lists it: its texts in both languages (`title: {"en", "ko"}`).
#[derive(Serialize)]
pub struct LabSummary<'a> {
    id: &'a str,
    title: &'a Text,
    course: &'a str,
    java_class: &'a str,
    summary: &'a Text,
    point: &'a Text,
    order: u32,
    topic: &'a crate::lab::TopicDef,
    consumer: &'a crate::domain::settings::ConsumerSettings,
    controls: &'a crate::lab::Controls,
}

fn summary(l: &LoadedLab) -> LabSummary<'_> {
    LabSummary {
        id: &l.lab.id,
        title: &l.lab.title,
        course: &l.lab.course,
        java_class: &l.lab.java_class,
        summary: &l.lab.summary,
        point: &l.lab.point,
        order: l.lab.order,
        topic: &l.lab.topic,
        consumer: &l.lab.consumer,
        controls: &l.lab.controls,
    }
}

pub async fn list_labs(State(state): State<AppState>) -> impl IntoResponse {
    let labs = state.labs.list();
    Json(
        serde_json::to_value(labs.iter().map(|l| summary(l)).collect::<Vec<_>>())
            .unwrap_or_default(),
    )
}

pub async fn get_lab(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let lab = state.labs.get(&id).ok_or_else(|| no_lab(&id))?;
    Ok(Json(
        serde_json::to_value(summary(&lab)).unwrap_or_default(),
    ))
}

pub(super) fn no_lab(id: &str) -> AppError {
    AppError::not_found(ErrorCode::NoLab, format!("no lab {id:?}")).with("lab", id)
}
