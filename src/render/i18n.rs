//! The theme's own words, in the site's language.

use crate::config::Lang;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Words {
    pub toc: &'static str,
    pub backlinks: &'static str,
    pub related: &'static str,
    pub no_backlinks: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub menu: &'static str,
    pub theme_toggle: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub environment: &'static str,
    pub skip_to_content: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,
    pub all_pages: &'static str,
    pub home: &'static str,
    pub this_section_in: &'static str,
    pub anchor_label: &'static str,
    pub sidebar: &'static str,
    pub breadcrumbs: &'static str,
    pub pager: &'static str,
}

pub fn words(lang: Lang) -> Words {
    match lang {
        Lang::Ko => Words {
            toc: "이 페이지의 내용",
            backlinks: "이 문서를 참조하는 문서",
            related: "관련 문서",
            no_backlinks: "이 문서를 참조하는 문서가 없습니다.",
            prev: "이전",
            next: "다음",
            menu: "메뉴",
            theme_toggle: "밝은 테마와 어두운 테마 전환",
            copy: "복사",
            copied: "복사됨",
            environment: "환경",
            skip_to_content: "본문으로 건너뛰기",
            not_found_title: "페이지를 찾을 수 없습니다",
            not_found_text: "요청한 페이지가 없거나 이동되었습니다.",
            back_home: "첫 페이지로 돌아가기",
            all_pages: "전체 문서",
            home: "홈",
            this_section_in: "다른 환경의 같은 절",
            anchor_label: "이 절의 링크",
            sidebar: "문서 목록",
            breadcrumbs: "현재 위치",
            pager: "이전 문서와 다음 문서",
        },
        Lang::En => Words {
            toc: "On this page",
            backlinks: "Referenced by",
            related: "Related",
            no_backlinks: "No page links here yet.",
            prev: "Previous",
            next: "Next",
            menu: "Menu",
            theme_toggle: "Switch between light and dark theme",
            copy: "Copy",
            copied: "Copied",
            environment: "Environment",
            skip_to_content: "Skip to content",
            not_found_title: "Page not found",
            not_found_text: "The page you asked for does not exist or has moved.",
            back_home: "Back to the home page",
            all_pages: "All pages",
            home: "Home",
            this_section_in: "The same section in another environment",
            anchor_label: "Link to this section",
            sidebar: "Pages",
            breadcrumbs: "Breadcrumbs",
            pager: "Previous and next page",
        },
    }
}

/// Display name of an environment id.
pub fn env_name(lang: Lang, env: &str) -> String {
    let known = match (lang, env.to_ascii_lowercase().as_str()) {
        (Lang::Ko, "dev" | "development") => "개발환경",
        (Lang::Ko, "prod" | "production") => "운영환경",
        (Lang::Ko, "stage" | "staging") => "스테이징환경",
        (Lang::Ko, "test" | "qa") => "테스트환경",
        (Lang::Ko, "local") => "로컬환경",
        (Lang::Ko, "global") => "글로벌환경",
        (Lang::En, "dev" | "development") => "Development",
        (Lang::En, "prod" | "production") => "Production",
        (Lang::En, "stage" | "staging") => "Staging",
        (Lang::En, "test" | "qa") => "Test",
        (Lang::En, "local") => "Local",
        (Lang::En, "global") => "Global",
        _ => return env.to_string(),
    };
    known.to_string()
}
