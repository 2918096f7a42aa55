#!/usr/bin/env python3
"""A real-sized architecture design folder for benchmarks: what a team keeps in `docs/`.

    python3 bench/designsite.py OUT_DIR

17 pages, written the way such folders are: no archsite.yaml, no master index generator, a
README-like `index.md`, environment documents with physical-architecture flowcharts (nested
subgraphs, Korean labels with `<br/>`, emoji, edge labels, classDef), two `.mmd` network
diagrams, one document per service with the sequence diagram of its main flow (alt/opt/loop/par
blocks, notes, activations), flow documents and operations documents. 16 diagrams of 30 to 70
lines, all different, all valid for mermaid 11. Deterministic: the same bytes every time.

The figures of `bench/run.py --design` (cold `check` and `build` of this folder, the first
thing a writer waits for) are in docs/benchmarks.md. Stdlib only (Python 3.11).
"""

from __future__ import annotations

import sys
from pathlib import Path

SERVICES = [
    ("user-service", "사용자 서비스", "회원 가입, 로그인, 프로필", "PostgreSQL"),
    ("trip-service", "여행 서비스", "여행 생성과 공유", "PostgreSQL"),
    ("itinerary-service", "일정 서비스", "일정 생성 요청과 편집", "PostgreSQL"),
    ("ai-service", "AI 서비스", "LLM으로 일정 초안 생성", "Redis"),
    ("place-service", "장소 서비스", "장소 검색과 상세 정보", "Redis"),
    ("notification-service", "알림 서비스", "푸시와 이메일 알림", "Service Bus"),
]

FLOWS = [
    ("signup", "회원 가입과 첫 로그인"),
    ("plan", "AI 일정 생성"),
    ("share", "여행 공유와 공동 편집"),
    ("payment", "프리미엄 결제"),
]

ENVS = [
    ("dev", "개발환경", "D4s_v5 × 2 (Spot)", "1", "클러스터 내부 Pod"),
    ("prod", "운영환경", "D8s_v5 × 3~10", "3", "관리형 서비스 (Private Endpoint)"),
]


def physical_flowchart(env: str, name: str, nodes: str, zones: str, data: str) -> str:
    apps = "\n".join(
        f'                {chr(65 + i)}{i}["{label}<br/>({sid})"]'
        for i, (sid, label, _, _) in enumerate(SERVICES)
    )
    links = "\n".join(
        f"    GW -->|\"/api/{sid.split('-')[0]}\"| {chr(65 + i)}{i}"
        for i, (sid, _, _, _) in enumerate(SERVICES)
    )
    stores = "\n".join(
        f"    {chr(65 + i)}{i} --> {'PG' if db == 'PostgreSQL' else 'RD' if db == 'Redis' else 'SB'}"
        for i, (_, _, _, db) in enumerate(SERVICES)
    )
    return f"""graph TB
    %% {name} 물리 아키텍처: 진입 경로, AKS, 데이터 서비스
    Users["👥 사용자<br/>(웹 · 모바일)"]
    Dev["🧑‍💻 개발자<br/>(VPN)"]

    subgraph Edge["🌍 에지 ({env})"]
        FD["Azure Front Door<br/>(TLS 1.3, WAF 정책)"]
        DNS["Azure DNS<br/>travel-{env}.example.com"]
    end

    subgraph Region["☁️ Azure - Korea Central (가용성 영역 {zones}개)"]
        AGW["🛡️ Application Gateway<br/>(WAF v2, 자동 확장)"]
        subgraph AKS["☸️ AKS 클러스터 aks-travel-{env}"]
            subgraph SystemPool["🖥️ system 노드풀"]
                CORE["CoreDNS / AGIC / 모니터링 에이전트"]
            end
            subgraph UserPool["🚀 user 노드풀 - {nodes}"]
                GW["🔐 api-gateway<br/>JWT 검증, 속도 제한"]
                subgraph Apps["마이크로서비스 (HPA)"]
{apps}
                end
            end
        end
        subgraph Data["💾 데이터 - {data}"]
            PG[("🐘 PostgreSQL<br/>trip / user / itinerary")]
            RD[("🔴 Redis<br/>캐시 · 세션")]
            SB["📨 Service Bus<br/>itinerary-requests"]
        end
        subgraph Ops["🔑 보안 · 운영"]
            KV["Key Vault<br/>(비밀, 인증서)"]
            MON["📊 Azure Monitor<br/>App Insights"]
        end
    end

    Users -->|"HTTPS"| FD
    Dev -.->|"kubectl (VPN)"| AKS
    DNS -.-> FD
    FD -->|"백엔드 풀"| AGW
    AGW --> GW
{links}
{stores}
    SB -->|"구독"| A3 & A5
    Apps -.->|"Managed Identity"| KV
    Apps -.->|"텔레메트리"| MON

    classDef edge fill:#e3f2fd,stroke:#1565c0
    classDef data fill:#fff3e0,stroke:#ef6c00
    class FD,DNS,AGW edge
    class PG,RD,SB data
"""


def network_flowchart(env: str, name: str) -> str:
    subnets = [
        ("snet-agw", "10.{o}.0.0/24", "Application Gateway"),
        ("snet-aks-system", "10.{o}.1.0/24", "system 노드풀"),
        ("snet-aks-user", "10.{o}.4.0/22", "user 노드풀"),
        ("snet-pe", "10.{o}.8.0/24", "Private Endpoint"),
        ("snet-bastion", "10.{o}.9.0/26", "Bastion"),
    ]
    octet = 10 if env == "dev" else 20
    body = "\n".join(
        f'        S{i}["{sn}<br/>{cidr.format(o=octet)}<br/>{what}"]' for i, (sn, cidr, what) in enumerate(subnets)
    )
    return f"""---
title: {name} 네트워크 구성도
---
flowchart LR
    Internet(("🌐 인터넷"))
    subgraph VNet["vnet-travel-{env} (10.{octet}.0.0/16)"]
        direction TB
{body}
        NSG1{{"NSG: 443만 허용"}}
        NSG2{{"NSG: VNet 내부만"}}
    end
    subgraph Peered["허브 VNet (피어링)"]
        FW["Azure Firewall<br/>송신 트래픽 통제"]
        VPN["VPN Gateway<br/>사무실 연결"]
    end
    Internet -->|"443"| NSG1 --> S0
    S0 -->|"HTTP 8080"| S2
    S2 -->|"5432 / 6380"| S3
    S1 --- S2
    S2 -->|"0.0.0.0/0 (UDR)"| FW
    FW -->|"허용 목록"| Internet
    VPN -->|"관리 접근"| S4
    S4 -->|"SSH · kubectl"| S1
    NSG2 -.-> S3
    linkStyle 0 stroke:#2e7d32,stroke-width:2px
"""


def service_sequence(sid: str, label: str, what: str, db: str) -> str:
    return f"""sequenceDiagram
    autonumber
    actor U as 사용자
    participant FE as 웹 프런트엔드
    participant GW as api-gateway
    participant S as {sid}
    participant C as Redis 캐시
    participant D as {db}
    Note over U,FE: {label}: {what}
    U->>FE: 화면 열기
    FE->>+GW: GET /api/{sid.split('-')[0]} (JWT)
    GW->>GW: 토큰 검증 · 속도 제한
    alt 토큰이 유효함
        GW->>+S: 요청 전달 (traceparent)
        S->>C: 캐시 조회
        opt 캐시 미스
            S->>+D: 조회 쿼리
            D-->>-S: 결과
            S->>C: 캐시 저장 (TTL 5분)
        end
        S-->>-GW: 200 OK
        GW-->>FE: 응답 (gzip)
    else 토큰 만료
        GW-->>FE: 401 Unauthorized
        FE->>GW: POST /auth/refresh
        GW-->>FE: 새 토큰
    end
    deactivate GW
    loop 30초마다
        FE->>GW: 변경 사항 폴링
        GW-->>FE: 304 Not Modified
    end
    par 감사 로그
        S->>D: 감사 이벤트 기록
    and 지표
        S->>S: 처리 시간 지표 기록
    end
    Note right of S: 실패 시 3회 재시도 후<br/>Dead Letter로 보냄
"""


def flow_sequence(key: str, title: str, i: int) -> str:
    steps = "\n".join(
        f"    {a}->>{b}: {msg} {i}-{k}"
        for k, (a, b, msg) in enumerate([
            ("App", "GW", "요청"), ("GW", "Svc", "전달"), ("Svc", "Bus", "이벤트 발행"),
            ("Bus", "Worker", "구독 처리"), ("Worker", "DB", "저장"), ("Worker", "Noti", "알림 요청"),
        ])
    )
    return f"""sequenceDiagram
    title {title}
    participant App as 모바일 앱
    participant GW as api-gateway
    participant Svc as 도메인 서비스
    participant Bus as Service Bus
    participant Worker as 비동기 작업자
    participant DB as PostgreSQL
    participant Noti as 알림 서비스
    rect rgb(240, 248, 255)
{steps}
    end
    critical 결제 승인 ({key})
        Svc->>DB: 트랜잭션 시작
        DB-->>Svc: 잠금 획득
    option 시간 초과
        Svc-->>App: 잠시 후 다시 시도
    end
    break 한도 초과
        GW-->>App: 429 Too Many Requests
    end
    Worker--)Noti: 완료 알림 (비동기)
    Noti--)App: 푸시 "{title} 완료"
    Note over App,Noti: 전체 흐름 목표 지연: p95 800ms 이하
"""


def ops_flowchart(kind: str) -> str:
    if kind == "deploy":
        return """flowchart LR
    Dev["개발자 커밋"] --> PR{"PR 리뷰<br/>승인 2명"}
    PR -->|"승인"| CI["GitHub Actions<br/>빌드 · 테스트"]
    PR -->|"변경 요청"| Dev
    subgraph Pipeline["배포 파이프라인"]
        CI --> Scan["이미지 스캔<br/>(Trivy)"]
        Scan --> Push["ACR 푸시<br/>태그: git SHA"]
        Push --> DevDeploy["개발환경 배포<br/>(ArgoCD 자동 동기화)"]
        DevDeploy --> Smoke{"스모크 테스트"}
        Smoke -->|"통과"| Approve["운영 배포 승인<br/>(변경 관리)"]
        Smoke -->|"실패"| Rollback1["자동 롤백"]
        Approve --> Canary["카나리 10%"]
        Canary --> Check{"오류율 < 1%?"}
        Check -->|"예"| Full["전체 배포"]
        Check -->|"아니오"| Rollback2["롤백 · 알림"]
    end
    Full --> Done(["완료"])
    Rollback1 --> Dev
    Rollback2 --> Dev
    classDef bad fill:#ffebee,stroke:#c62828
    class Rollback1,Rollback2 bad
"""
    return """graph TD
    subgraph Sources["수집 대상"]
        Pods["애플리케이션 Pod<br/>(OpenTelemetry SDK)"]
        Nodes["AKS 노드<br/>(컨테이너 인사이트)"]
        PaaS["관리형 서비스<br/>(진단 설정)"]
    end
    subgraph Collect["수집 · 저장"]
        OTel["OTel Collector<br/>DaemonSet"]
        LA[("Log Analytics<br/>보존 30일")]
        AI[("Application Insights")]
        Prom[("관리형 Prometheus")]
    end
    subgraph Use["활용"]
        Graf["Grafana 대시보드"]
        Alert{"경고 규칙"}
        OnCall["당번 (PagerDuty)"]
        Slack["#ops-alerts 채널"]
    end
    Pods -->|"트레이스 · 로그"| OTel
    OTel --> AI
    OTel --> LA
    Nodes -->|"지표"| Prom
    PaaS -->|"진단 로그"| LA
    Prom --> Graf
    AI --> Graf
    LA --> Alert
    Prom --> Alert
    Alert -->|"심각도 1·2"| OnCall
    Alert -->|"심각도 3"| Slack
"""


def page(title: str, intro: str, body: str, links: list[tuple[str, str]]) -> str:
    rel = "\n".join(f"- [{t}]({h})" for t, h in links)
    return f"""# {title}

{intro}

## 개요

이 문서는 여행 일정 서비스의 설계 문서 중 하나입니다. 결정의 이유와 대안, 운영에서 확인할
지표를 함께 적습니다. 표와 다이어그램은 현재 설계 기준이며, 바뀌면 같은 PR에서 고칩니다.

{body}

## 결정 사항

| 항목 | 선택 | 이유 |
|---|---|---|
| 배포 단위 | 서비스별 컨테이너 | 독립 배포와 확장 |
| 통신 | 동기 REST + 비동기 Service Bus | 응답 시간이 긴 작업 분리 |
| 관측 | OpenTelemetry | 벤더 중립 |

## 관련 문서

{rel}
"""


def fence(diagram: str) -> str:
    return "```mermaid\n" + diagram.rstrip("\n") + "\n```"


def generate(out: Path) -> dict:
    files: dict[str, str] = {}
    env_links = [(f"{n} 물리 아키텍처", f"architecture/physical-{e}.md") for e, n, *_ in ENVS]
    svc_links = [(label, f"services/{sid}.md") for sid, label, _, _ in SERVICES]
    flow_links = [(t, f"flows/{k}.md") for k, t in FLOWS]
    ops_links = [("배포 파이프라인", "ops/deploy.md"), ("모니터링", "ops/monitoring.md")]
    index_links = env_links + svc_links + flow_links + ops_links
    files["index.md"] = page(
        "여행 일정 서비스 설계 문서",
        "개발환경과 운영환경의 물리 아키텍처, 서비스별 흐름, 운영 절차를 모은 폴더입니다.",
        "## 문서 지도\n\n" + "\n".join(f"- [{t}]({h})" for t, h in index_links),
        [("README", "index.md")],
    )
    for env, name, nodes, zones, data in ENVS:
        files[f"architecture/physical-{env}.md"] = page(
            f"물리 아키텍처 - {name}",
            f"{name}의 진입 경로, 클러스터, 데이터 서비스 배치입니다. "
            f"네트워크는 [네트워크 구성도](network-{env}.mmd)를 봅니다.",
            "## 구성도\n\n" + fence(physical_flowchart(env, name, nodes, zones, data))
            + f"\n\n![{name} 네트워크](network-{env}.mmd)",
            [("문서 지도", "../index.md")] + [(t, "../" + h) for t, h in svc_links[:3]],
        )
        files[f"architecture/network-{env}.mmd"] = network_flowchart(env, name)
    for sid, label, what, db in SERVICES:
        files[f"services/{sid}.md"] = page(
            f"{label} ({sid})",
            f"{what}을(를) 맡습니다. 저장소는 {db}입니다.",
            "## 주요 흐름\n\n" + fence(service_sequence(sid, label, what, db)),
            [("문서 지도", "../index.md"), ("운영환경", "../architecture/physical-prod.md")],
        )
    for i, (key, title) in enumerate(FLOWS):
        files[f"flows/{key}.md"] = page(
            title,
            f"{title} 흐름의 서비스 간 호출 순서입니다.",
            "## 시퀀스\n\n" + fence(flow_sequence(key, title, i)),
            [("문서 지도", "../index.md")] + [(t, "../" + h) for t, h in svc_links[i:i + 2]],
        )
    files["ops/deploy.md"] = page(
        "배포 파이프라인", "커밋에서 운영 배포까지의 단계입니다.",
        "## 단계\n\n" + fence(ops_flowchart("deploy")), [("문서 지도", "../index.md")])
    files["ops/monitoring.md"] = page(
        "모니터링", "지표, 로그, 트레이스를 모으고 경고하는 구성입니다.",
        "## 구성\n\n" + fence(ops_flowchart("monitoring")), [("문서 지도", "../index.md")])
    for rel, text in files.items():
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    diagrams = sum(t.count("```mermaid") for t in files.values()) + sum(
        1 for r in files if r.endswith(".mmd"))
    return {"pages": len(files), "diagrams": diagrams}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    summary = generate(Path(sys.argv[1]))
    print(f"wrote {summary['pages']} pages with {summary['diagrams']} diagrams to {sys.argv[1]}")
