//! The small site the index's unit tests build and query: three pages, Korean and English.

use super::{build, Index, PageInput, Technique};
use crate::search::extract::{Field, Section};

pub(super) fn page(url: &str, sections: &[(&str, &str)]) -> PageInput {
    PageInput {
        url: url.into(),
        title: url.into(),
        sections: sections
            .iter()
            .map(|(anchor, text)| Section {
                anchor: anchor.to_string(),
                title: anchor.to_string(),
                parts: vec![
                    (Field::Heading, anchor.to_string()),
                    (Field::Body, text.to_string()),
                ],
            })
            .collect(),
    }
}

pub(super) fn site() -> Index {
    build(
        vec![
            page(
                "dev.html",
                &[
                    ("개요", "개발환경은 단일 노드 Redis를 씁니다."),
                    ("환경별-특성", "환경별 특성을 비교합니다."),
                ],
            ),
            page(
                "prod.html",
                &[("백업", "운영 환경의 백업 전략과 Service Bus 구성")],
            ),
            page(
                "glossary.html",
                &[("용어", "고가용성 설계, HPA, serverless")],
            ),
        ],
        Technique::StemsBigrams,
    )
}
