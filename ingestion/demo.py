"""Demo data: FOCUS 1.2 bills of a fictional mid-size company on AWS, Azure, GCP and OCI.

Northwind Labs runs a web shop, a data platform and, from mid-window, an AI assistant, for about
$170k a month. Its bills are built to look like a real company in screenshots, not like noise:

- fleets of named, tagged resources whose cost follows their nature: always-on servers are flat,
  staging and sandbox machines stop at weekends, traffic-driven services dip at weekends and grow
  a few percent a month, storage creeps up, batch jobs are noisy, new servers keep appearing;
- step changes: a migration from self-managed Postgres on EC2 to Aurora (both run for a few days),
  the AI assistant launch (Bedrock, SageMaker, Vertex AI), a staging right-sizing;
- a handful of spikes: a runaway Glue job, a Lambda loop, an analyst's BigQuery scan, debug
  logging left on, a NAT data transfer storm;
- credits (AI launch, a GCP promotion, an Azure SLA credit) and AWS sales tax, both monthly:
  ChargePeriod is the whole billing month, so they land on its first day, and only once the
  month is complete, as on a real invoice;
- the EU subsidiary's Azure billing account, billed in EUR but priced in USD (the PricingCurrency
  columns keep the USD amounts);
- one all-upfront 1-year Compute Savings Plan, with the money kept consistent the FOCUS way: the
  Purchase row (One-Time) bills the whole term with EffectiveCost 0; from the purchase day on, the
  covered instances' rows have BilledCost 0 (already paid) and an EffectiveCost 28% below their
  ContractedCost, and one Unused row a day takes the rest of that day's share, so each day of the
  term carries exactly 1/365 of the purchase as EffectiveCost.

Unit prices are the SKUs' list prices; ContractedCost applies each provider's negotiated discount;
BilledCost = EffectiveCost = ContractedCost except on spot, committed, credit and tax rows. Money
is exact fixed-point text (6 decimals, unit prices 10). About 15% of BilledCost carries no `team`
tag: unlabelled sandboxes, partial tags, data transfer, tax, the commitment.

Size at scale 1: about 700 resource lines and 16,000-20,000 rows a month (a full month late in
the window: AWS 9,600, Azure 4,400, GCP 4,300, OCI 1,400), 240,000 rows and 18 MB of gzip CSV for
13 months. `scale` multiplies the resources, so the rows and the spend (scale 40: ~10M rows).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa

from focus.columns import COLUMNS
from ingestion.loader import FileResult, load_file

_PRICES = {"ListUnitPrice", "ContractedUnitPrice"}
_PRICES |= {f"PricingCurrency{name}" for name in _PRICES}
_SIX_DECIMALS = {"ConsumedQuantity", "PricingQuantity", "CommitmentDiscountQuantity"}
_SIX_DECIMALS |= {"PricingCurrencyEffectiveCost"}


def _arrow_type(name: str, kind: str) -> pa.DataType:
    """Numbers as decimals: the CSV then carries exact fixed-point text, never float noise."""
    if name in _PRICES:
        return pa.decimal128(38, 10)
    if kind == "money" or name in _SIX_DECIMALS:
        return pa.decimal128(38, 6)
    return pa.string()


SCHEMA = pa.schema([(c.name, _arrow_type(c.name, c.kind)) for c in COLUMNS])
MICRO = 1_000_000
ROWS_PER_CHUNK = 262_144  # memory bound at any scale: one chunk of one provider-month at a time

# Usage shapes: weekly factors Monday..Sunday, day-to-day noise (sigma), whether usage grows.
KINDS = ("steady", "office", "traffic", "storage", "batch")
_WEEKLY = np.array(
    [
        [1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 0, 0],
        [1.0, 1.03, 1.04, 1.02, 0.95, 0.72, 0.68],
        [1, 1, 1, 1, 1, 1, 1],
        [1.08, 1.12, 1.1, 1.06, 0.95, 0.5, 0.45],
    ]
)
_SIGMA = np.array([0.0, 0.0, 0.06, 0.002, 0.28])
_GROWS = np.array([False, False, True, True, True])

# Events, as fractions of the window, so any --months shows all of them.
EVENTS = {"migration": 0.30, "launch": 0.55, "rightsize": 0.80, "purchase": 0.62}

APPS = {  # app -> (team, cost center)
    "checkout-api": ("checkout", "CC-1200"),
    "payments": ("checkout", "CC-1200"),
    "orders-db": ("checkout", "CC-1200"),
    "search-api": ("search", "CC-1300"),
    "catalog": ("search", "CC-1300"),
    "web-frontend": ("growth", "CC-1400"),
    "mobile-backend": ("mobile", "CC-1500"),
    "k8s-platform": ("platform", "CC-1100"),
    "observability": ("platform", "CC-1100"),
    "ci-runners": ("platform", "CC-1100"),
    "data-lake": ("data", "CC-2100"),
    "etl": ("data", "CC-2100"),
    "warehouse": ("data", "CC-2100"),
    "recommendations": ("ml", "CC-2200"),
    "assistant": ("ml", "CC-2200"),
    "security-tooling": ("security", "CC-1600"),
    "eu-storefront": ("eu-commerce", "CC-3100"),
    "erp-integration": ("finance-systems", "CC-4100"),
}
APP_GROUPS = {  # shorthands in the workload tables
    "shop": "checkout-api search-api web-frontend mobile-backend payments",
    "shop-core": "checkout-api payments mobile-backend catalog",
}
_WORDS = [
    "events",
    "orders",
    "sessions",
    "sync",
    "ingest",
    "notify",
    "resize",
    "export",
    "billing",
    "profile",
    "feed",
    "audit",
    "pricing",
    "inventory",
    "reports",
    "webhooks",
    "media",
    "checkout",
]


@dataclass(frozen=True)
class Account:
    key: str
    billing_id: str
    billing_name: str
    currency: str
    sub_id: str
    sub_name: str
    env: str


@dataclass(frozen=True)
class Sku:
    key: str
    service: str
    meter: str
    unit: str  # PricingUnit
    price: float  # list price, USD per pricing unit
    consumed_unit: str
    block: float  # consumed units per pricing unit (1000 tokens, 10000 operations)


@dataclass(frozen=True)
class Resource:
    type: str | None
    id: str  # str.format template; "" when the charge has no resource (data transfer)
    name: str | None  # template; None: the id's last segment
    zonal: bool


@dataclass(frozen=True)
class Workload:
    """`count` resources of one kind, each billed on one line per SKU. `qty` is the first SKU's
    daily quantity range at the end of the window; later SKUs scale it by their ratio."""

    resource: str
    skus: tuple[tuple[str, float, int], ...]  # sku key, ratio, kind
    qty: tuple[float, float]
    count: int
    kind: int
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    apps: tuple[str, ...]
    step: float = 0.0  # quantities are whole multiples of it (24 hours, 96 core-hours ...)
    start: float = 0.0  # window fraction where the workload appears
    end: float = math.inf  # window fraction where it is switched off
    late: float | None = None  # share of resources added during the window (fleet growth)
    untagged: float = 0.04
    committed: bool = False  # covered by the Savings Plan once bought
    spot: bool = False


@dataclass(frozen=True)
class Provider:
    key: str  # file and source suffix
    name: str  # ProviderName, PublisherName
    issuer: str  # InvoiceIssuerName
    billing_type: str
    sub_type: str
    growth: float  # month-over-month growth of usage-driven spend
    discount: float  # negotiated discount off list (EDP, MACC, Universal Credits)
    tax_rate: float
    invoice: tuple[str, int]  # invoice id prefix and digits
    tag_keys: tuple[str, str, str, str]  # this cloud's spelling of team, env, cost-center, app
    accounts: dict[str, Account]
    regions: dict[str, tuple[str | None, str | None]]
    services: dict[str, tuple[str, str, str]]  # key -> name, category, subcategory
    skus: dict[str, Sku]
    resources: dict[str, Resource]
    workloads: tuple[Workload, ...]


def _rows(table: str) -> list[list[str]]:
    """A '|'-separated text table: one row per non-blank line, cells stripped."""
    return [[c.strip() for c in line.split("|")] for line in table.strip().splitlines()]


def _accounts(billing: dict[str, tuple[str, str, str]], table: str) -> dict[str, Account]:
    out = {}
    for key, bill, sub_id, sub_name, env in _rows(table):
        out[key] = Account(key, *billing[bill], sub_id, sub_name, env)
    return out


def _skus(table: str) -> dict[str, Sku]:
    out = {}
    for key, service, meter, unit, price, *consumed in _rows(table):
        consumed_unit, block = (consumed[0], float(consumed[1])) if consumed else (unit, 1.0)
        out[key] = Sku(key, service, meter, unit, float(price), consumed_unit, block)
    return out


def _resources(table: str, prefix: str = "") -> dict[str, Resource]:
    """`~` in an id stands for the provider's common id prefix (Azure's resource group path)."""
    out = {}
    for key, kind, template, name, zonal in _rows(table):
        out[key] = Resource(kind or None, template.replace("~", prefix), name or None, zonal == "z")
    return out


def _workloads(table: str) -> tuple[Workload, ...]:
    """resource | skus (key*ratio/kind) | qty lo-hi | count | kind | accounts @ regions | apps |
    options (name=value, a bare flag is True; values may name an event)."""
    out = []
    for resource, skus, qty, count, kind, where, apps, *opts in _rows(table):
        lo, _, hi = qty.partition("~")
        accounts, regions = where.split("@")
        options: dict[str, object] = {}
        for opt in " ".join(opts).split():
            name, _, value = opt.partition("=")
            options[name] = _option(value)
        workload = Workload(
            resource, tuple(_sku_ref(s, kind) for s in skus.split()), (float(lo), float(hi or lo)),
            int(count), KINDS.index(kind), tuple(accounts.split()), tuple(regions.split()),
            tuple(apps.split()), **options,
        )  # fmt: skip
        out.append(workload)
    return tuple(out)


def _option(value: str) -> object:
    if not value:
        return True
    if value in EVENTS:
        return EVENTS[value]
    if value[0] in "+-" and value[1:] in EVENTS:  # e.g. end=+migration: a little after it
        return EVENTS[value[1:]] + (0.03 if value[0] == "+" else -0.08)
    return float(value)


def _sku_ref(text: str, default_kind: str) -> tuple[str, float, int]:
    text, _, kind = text.partition("/")
    key, _, ratio = text.partition("*")
    return key, float(ratio or 1), KINDS.index(kind or default_kind)


# The catalogs are text tables, one row per line: wrapping them would hide their columns.
# ruff: noqa: E501

AWS = Provider(
    key="aws",
    name="AWS",
    issuer="Amazon Web Services, Inc.",
    billing_type="Payer Account",
    sub_type="Linked Account",
    growth=0.03,
    discount=0.06,
    tax_rate=0.0625,
    invoice=("", 10),
    tag_keys=("user:team", "user:env", "user:cost-center", "user:app"),
    accounts=_accounts(
        {"payer": ("293847561029", "Northwind Labs", "USD")},
        """
        prod     | payer | 418273645091 | nwl-prod     | prod
        staging  | payer | 529384756102 | nwl-staging  | staging
        data     | payer | 630495867213 | nwl-data     | prod
        sandbox  | payer | 741506978324 | nwl-sandbox  | sandbox
        security | payer | 852617089435 | nwl-security | prod
        """,
    ),
    regions={
        "use1": ("us-east-1", "US East (N. Virginia)"),
        "usw2": ("us-west-2", "US West (Oregon)"),
        "euw1": ("eu-west-1", "Europe (Ireland)"),
        "global": (None, None),
    },
    services={
        k: (name, cat, sub)
        for k, name, cat, sub in _rows(
            """
            ec2        | Amazon Elastic Compute Cloud        | Compute    | Virtual Machines
            s3         | Amazon Simple Storage Service       | Storage    | Object Storage
            rds        | Amazon Relational Database Service  | Databases  | Relational Databases
            lambda     | AWS Lambda                          | Compute    | Serverless Compute
            cloudfront | Amazon CloudFront                   | Networking | Content Delivery
            eks        | Amazon Elastic Kubernetes Service   | Compute    | Containers
            dynamodb   | Amazon DynamoDB                     | Databases  | NoSQL Databases
            cloudwatch | Amazon CloudWatch   | Management and Governance | Observability
            redshift   | Amazon Redshift                     | Databases  | Data Warehouses
            sagemaker  | Amazon SageMaker      | AI and Machine Learning | Machine Learning
            bedrock    | Amazon Bedrock        | AI and Machine Learning | Generative AI
            elasticache| Amazon ElastiCache                  | Databases  | Caching
            glue       | AWS Glue                            | Analytics  | Data Processing
            athena     | Amazon Athena                       | Analytics  | Analytics Platforms
            kinesis    | Amazon Kinesis                      | Analytics  | Streaming Analytics
            opensearch | Amazon OpenSearch Service           | Analytics  | Search
            elb        | Elastic Load Balancing          | Networking | Network Infrastructure
            transfer   | AWS Data Transfer               | Networking | Network Connectivity
            route53    | Amazon Route 53                     | Networking | Network Routing
            vpc        | Amazon Virtual Private Cloud    | Networking | Network Infrastructure
            kms        | AWS Key Management Service          | Security   | Cryptography
            guardduty  | Amazon GuardDuty        | Security | Threat Detection and Response
            waf        | AWS WAF                             | Security   | Other (Security)
            sqs        | Amazon Simple Queue Service         | Integration | Messaging
            savings    | Savings Plans for AWS Compute usage | Compute    | Virtual Machines
            """
        )
    },
    skus=_skus(
        """
        m6i.2xlarge  | ec2        | BoxUsage:m6i.2xlarge        | Hours     | 0.384
        r6i.2xlarge  | ec2        | BoxUsage:r6i.2xlarge        | Hours     | 0.504
        r6i.4xlarge  | ec2        | BoxUsage:r6i.4xlarge        | Hours     | 1.008
        c6i.4xlarge  | ec2        | BoxUsage:c6i.4xlarge        | Hours     | 0.68
        c6i.2xlarge  | ec2        | BoxUsage:c6i.2xlarge        | Hours     | 0.34
        m6i.4xlarge  | ec2        | BoxUsage:m6i.4xlarge        | Hours     | 0.768
        m6i.4x-spot  | ec2        | SpotUsage:m6i.4xlarge       | Hours     | 0.768
        m6i.xlarge   | ec2        | BoxUsage:m6i.xlarge         | Hours     | 0.192
        t3.large     | ec2        | BoxUsage:t3.large           | Hours     | 0.0832
        g5.xlarge    | ec2        | BoxUsage:g5.xlarge          | Hours     | 1.006
        gp3          | ec2        | EBS:VolumeUsage.gp3         | GB-Months | 0.08
        nat-hours    | ec2        | NatGateway-Hours            | Hours     | 0.045
        nat-bytes    | ec2        | NatGateway-Bytes            | GB        | 0.045
        s3-std       | s3         | TimedStorage-ByteHrs        | GB-Months | 0.023
        s3-req       | s3         | Requests-Tier1              | Requests  | 0.000005
        aurora       | rds        | Aurora:db.r6g.2xlarge       | Hours     | 1.038
        rds-xl       | rds        | InstanceUsage:db.r6g.xlarge | Hours     | 0.519
        rds-small    | rds        | InstanceUsage:db.t4g.medium | Hours     | 0.065
        rds-storage  | rds        | RDS:GP3-Storage             | GB-Months | 0.115
        aurora-io    | rds        | Aurora:StorageIOUsage       | IOs       | 0.0000002
        lambda-gbs   | lambda     | Lambda-GB-Second            | GB-Seconds | 0.0000166667
        lambda-req   | lambda     | Request                     | Requests  | 0.0000002
        cf-out       | cloudfront | DataTransfer-Out-Bytes      | GB        | 0.085
        cf-req       | cloudfront | Requests-Tier2-HTTPS        | Requests  | 0.000001
        eks-cluster  | eks        | AmazonEKS-Hours:perCluster  | Hours     | 0.10
        fargate-vcpu | eks        | Fargate-vCPU-Hours:perCPU   | Hours     | 0.04048
        ddb-write    | dynamodb   | WriteRequestUnits           | Requests  | 0.00000125
        ddb-read     | dynamodb   | ReadRequestUnits            | Requests  | 0.00000025
        ddb-storage  | dynamodb   | TimedStorage-ByteHrs        | GB-Months | 0.25
        cw-logs      | cloudwatch | DataProcessing-Bytes        | GB        | 0.50
        cw-metrics   | cloudwatch | CW:MetricMonitorUsage       | Metrics   | 0.30
        rs-node      | redshift   | Node:ra3.4xlarge            | Hours     | 3.26
        rs-storage   | redshift   | RMS:ra3                     | GB-Months | 0.024
        sm-endpoint  | sagemaker  | Host:ml.g5.2xlarge          | Hours     | 1.515
        sm-training  | sagemaker  | Train:ml.p3.2xlarge         | Hours     | 3.825
        sm-notebook  | sagemaker  | Notebk:ml.t3.medium         | Hours     | 0.05
        bedrock-in   | bedrock    | InputTokenCount   | 1000 Tokens | 0.003 | Tokens | 1000
        bedrock-out  | bedrock    | OutputTokenCount  | 1000 Tokens | 0.015 | Tokens | 1000
        cache-node   | elasticache | NodeUsage:cache.r6g.large  | Hours     | 0.206
        glue-dpu     | glue       | ETL-DPU-Hour                | Hours     | 0.44
        athena-scan  | athena     | DataScannedInTB             | TB        | 5.0
        shard-hours  | kinesis    | Storage-ShardHour           | Hours     | 0.015
        os-node      | opensearch | ESInstance:r6g.xlarge.search | Hours    | 0.335
        os-storage   | opensearch | ES:GP3-Storage              | GB-Months | 0.122
        alb-hours    | elb        | LoadBalancerUsage           | Hours     | 0.0225
        alb-lcu      | elb        | LCUUsage                    | LCU-Hours | 0.008
        dt-out       | transfer   | DataTransfer-Out-Bytes      | GB        | 0.09
        dt-az        | transfer   | DataTransfer-Regional-Bytes | GB        | 0.01
        dns-queries  | route53    | DNS-Queries                 | Queries   | 0.0000004
        public-ipv4  | vpc        | PublicIPv4:InUseAddress     | Hours     | 0.005
        vpce         | vpc        | VpcEndpoint-Hours           | Hours     | 0.01
        kms-req      | kms        | KMS-Requests                | Requests  | 0.000003
        gd-events    | guardduty  | PaidEventsAnalyzed          | Events    | 0.000004
        waf-req      | waf        | Request                     | Requests  | 0.0000006
        sqs-req      | sqs        | Requests-RBP                | Requests  | 0.0000004
        """
    ),
    resources=_resources(
        """
        ec2        | Instance    | i-0{hex:.16}                                | {app}-{env}-{n:02d} | z
        ebs        | Volume      | vol-0{hex:.16}                         | {app}-{env}-data-{n:02d} | z
        nat        | NAT Gateway | arn:aws:ec2:{region}:{acct}:natgateway/nat-0{hex:.16} | | z
        s3         | Bucket      | nwl-{app}-{env}-{slug}                                  | |
        rds        | DB Instance | arn:aws:rds:{region}:{acct}:db:{app}-{env}-{n:02d}      | | z
        lambda     | Function    | arn:aws:lambda:{region}:{acct}:function:{app}-{slug}    | |
        cloudfront | Distribution | arn:aws:cloudfront::{acct}:distribution/E{HEX:.13} | {app}-cdn |
        eks        | Cluster     | arn:aws:eks:{region}:{acct}:cluster/{app}-{env}-{n}     | |
        fargate    | Fargate Profile | arn:aws:eks:{region}:{acct}:fargateprofile/{app}/{slug} | |
        dynamodb   | Table       | arn:aws:dynamodb:{region}:{acct}:table/{app}-{slug}     | |
        logs       | Log Group   | arn:aws:logs:{region}:{acct}:log-group:/{env}/{app}/{slug} | |
        metrics    | Namespace   | arn:aws:cloudwatch:{region}:{acct}:namespace/{app}-{n} | |
        redshift   | Cluster     | arn:aws:redshift:{region}:{acct}:cluster:{app}-{env}-{n} | | z
        endpoint   | Endpoint    | arn:aws:sagemaker:{region}:{acct}:endpoint/{app}-{slug}   | |
        training   | Training Job | arn:aws:sagemaker:{region}:{acct}:training-job/{app}-{slug} | |
        notebook   | Notebook Instance | arn:aws:sagemaker:{region}:{acct}:notebook/{app}-{slug} | |
        bedrock    | Inference Profile | arn:aws:bedrock:{region}:{acct}:inference/{hex:.12} | {app}-{slug} |
        cache      | Cache Node  | arn:aws:elasticache:{region}:{acct}:cluster:{app}-{env}-{n:03d} | | z
        glue       | Job         | arn:aws:glue:{region}:{acct}:job/{app}-{slug}           | |
        athena     | Workgroup   | arn:aws:athena:{region}:{acct}:workgroup/{app}-{slug}   | |
        kinesis    | Stream      | arn:aws:kinesis:{region}:{acct}:stream/{app}-{slug}     | |
        opensearch | Domain Node | arn:aws:es:{region}:{acct}:domain/{app}-{env} | {app}-{env}-node-{n} | z
        alb        | Load Balancer | arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{app}-{env}-{n}/{hex:.16} | {app}-{env}-{n} |
        transfer   |             |                                                         | |
        zone       | Hosted Zone | arn:aws:route53:::hostedzone/Z{HEX:.20} | {slug}.northwind.io |
        eip        | Elastic IP  | arn:aws:ec2:{region}:{acct}:elastic-ip/eipalloc-0{hex:.16} | |
        vpce       | VPC Endpoint | arn:aws:ec2:{region}:{acct}:vpc-endpoint/vpce-0{hex:.16} | |
        kms        | Key         | arn:aws:kms:{region}:{acct}:key/{uuid}    | alias/{app}-{env}-{n} |
        guardduty  | Detector    | arn:aws:guardduty:{region}:{acct}:detector/{hex}        | |
        waf        | Web ACL     | arn:aws:wafv2:{region}:{acct}:regional/webacl/{app}/{uuid} | {app}-{n} |
        sqs        | Queue       | arn:aws:sqs:{region}:{acct}:{app}-{slug}                | |
        """
    ),
    workloads=_workloads(
        """
        ec2 | m6i.4xlarge | 24 | 6 | steady | prod @ use1 | k8s-platform | late=0 committed
        ec2 | m6i.2xlarge | 24 | 8 | steady | prod @ use1 usw2 | shop | late=0.35
        ec2 | m6i.4xlarge | 24 | 10 | steady | prod @ use1 usw2 | shop catalog | late=0.35
        ec2 | r6i.4xlarge | 24 | 6 | steady | prod @ use1 usw2 | search-api catalog recommendations
        ec2 | c6i.4xlarge | 24 | 6 | steady | prod @ use1 | k8s-platform
        ec2 | r6i.4xlarge | 24 | 6 | steady | prod @ use1 | orders-db | end=+migration late=0
        ec2 | m6i.xlarge | 24 | 12 | office | staging @ use1 | shop | end=rightsize late=0.1
        ec2 | t3.large | 24 | 12 | office | staging @ use1 | shop | start=rightsize
        ec2 | m6i.4x-spot | 8~24 | 12 | batch | data @ use1 | etl data-lake | spot
        ec2 | c6i.2xlarge | 10~20 | 6 | batch | staging @ use1 | ci-runners
        ec2 | t3.large | 24 | 8 | office | sandbox @ use1 usw2 | | untagged=0.75
        ec2 | g5.xlarge | 10~24 | 4 | office | sandbox @ use1 | recommendations | untagged=0.5 step=1
        ebs | gp3 | 20~160 | 18 | storage | prod staging data @ use1 usw2 | shop k8s-platform etl | step=0.001
        nat | nat-hours/steady nat-bytes*9 | 24 | 6 | traffic | prod staging data @ use1 usw2 | k8s-platform | untagged=0.5
        s3 | s3-std s3-req*1500/traffic | 250~2500 | 10 | storage | prod data @ use1 usw2 euw1 | data-lake web-frontend catalog warehouse observability
        rds | aurora rds-storage*0.6/storage aurora-io*900000/traffic | 24 | 4 | steady | prod @ use1 | orders-db | start=migration
        rds | rds-xl rds-storage*0.4/storage | 24 | 8 | steady | prod @ use1 usw2 | shop-core
        rds | rds-small | 24 | 5 | steady | staging @ use1 | shop-core
        lambda | lambda-gbs lambda-req*0.1 | 80000~2000000 | 12 | traffic | prod staging @ use1 usw2 | shop etl
        cloudfront | cf-out cf-req*25000 | 200~700 | 4 | traffic | prod @ global | web-frontend mobile-backend catalog | untagged=0.1
        eks | eks-cluster | 24 | 4 | steady | prod staging data @ use1 usw2 | k8s-platform
        fargate | fargate-vcpu | 80~450 | 4 | traffic | prod @ use1 | k8s-platform
        dynamodb | ddb-write ddb-read*5 | 1000000~20000000 | 6 | traffic | prod @ use1 | checkout-api mobile-backend web-frontend
        logs | cw-logs | 4~50 | 8 | traffic | prod staging data @ use1 usw2 | observability checkout-api search-api etl
        metrics | cw-metrics | 6~40 | 3 | steady | prod staging data @ use1 | observability
        redshift | rs-node rs-storage*40/storage | 24 | 2 | steady | data @ use1 | warehouse | late=0
        endpoint | sm-endpoint | 24 | 3 | steady | prod @ use1 | assistant | start=launch
        training | sm-training | 2~10 | 2 | batch | data @ use1 | assistant recommendations | start=-launch
        notebook | sm-notebook | 8~12 | 4 | office | data @ use1 | assistant recommendations | step=1
        bedrock | bedrock-in bedrock-out*0.18 | 8000~30000 | 2 | traffic | prod @ use1 | assistant | start=launch
        cache | cache-node | 24 | 6 | steady | prod staging @ use1 | checkout-api web-frontend search-api
        glue | glue-dpu | 2~25 | 12 | batch | data @ use1 | etl data-lake
        athena | athena-scan | 0.2~2 | 4 | batch | data @ use1 | warehouse data-lake
        kinesis | shard-hours | 96~480 | 4 | steady | prod data @ use1 | etl checkout-api | step=24
        opensearch | os-node os-storage*0.7/storage | 24 | 6 | steady | prod @ use1 | search-api
        alb | alb-hours/steady alb-lcu*12 | 24 | 6 | traffic | prod staging @ use1 usw2 | checkout-api web-frontend search-api mobile-backend
        transfer | dt-out dt-az*5 | 60~400 | 6 | traffic | prod data @ use1 usw2 euw1 | | untagged=1
        zone | dns-queries | 5000000~20000000 | 3 | traffic | prod @ global | web-frontend | untagged=0.4
        eip | public-ipv4 | 48~288 | 4 | steady | prod staging data @ use1 usw2 | k8s-platform | step=24 untagged=0.5
        vpce | vpce | 72 | 4 | steady | prod data security @ use1 | k8s-platform
        kms | kms-req | 200000~2000000 | 3 | traffic | prod data security @ use1 | security-tooling
        guardduty | gd-events | 2000000~10000000 | 3 | traffic | prod staging data sandbox security @ use1 | security-tooling
        waf | waf-req | 5000000~30000000 | 3 | traffic | prod @ use1 | security-tooling
        sqs | sqs-req | 2000000~40000000 | 4 | traffic | prod @ use1 | shop-core etl
        """
    ),
)

AZURE_PREFIX = "/subscriptions/{acct}/resourcegroups/rg-{app}-{env}/providers/microsoft."

AZURE = Provider(
    key="azure",
    name="Microsoft",
    issuer="Microsoft",
    billing_type="Billing Profile",
    sub_type="Subscription",
    growth=0.022,
    discount=0.05,
    tax_rate=0.0,  # Azure cost exports carry no tax
    invoice=("G", 9),
    tag_keys=("team", "env", "CostCenter", "app"),
    accounts=_accounts(
        {
            "us": ("K7QX-4M2P-BG7-PGB", "Northwind Labs, Inc.", "USD"),
            "eu": ("R2TN-8W5C-CH3-PGB", "Northwind Labs GmbH", "EUR"),
        },
        """
        prod   | us | 7c1e4b2a-5d3f-4e8a-9b6c-2f1d0e9a8b7c | nwl-prod            | prod
        dev    | us | 3a9f6d21-8c4b-47e2-b1d5-6e0f2a9c4d83 | nwl-dev-test        | dev
        shared | us | 9e2d7c15-4a6b-4f38-8d1e-b5c3a7f60e29 | nwl-shared-services | prod
        eu     | eu | 5b8e3f12-7c4a-4d9e-a1f6-2e0b9c7d4a58 | nwl-eu-prod         | prod
        """,
    ),
    regions={
        "eastus": ("eastus", "East US"),
        "westus2": ("westus2", "West US 2"),
        "westeurope": ("westeurope", "West Europe"),
        "gwc": ("germanywestcentral", "Germany West Central"),
        "global": ("global", "Global"),
    },
    services={
        k: (name, cat, sub)
        for k, name, cat, sub in _rows(
            """
            vm        | Virtual Machines        | Compute    | Virtual Machines
            storage   | Storage                 | Storage    | Object Storage
            sql       | Azure SQL Database      | Databases  | Relational Databases
            aks       | Azure Kubernetes Service | Compute   | Containers
            cosmos    | Azure Cosmos DB         | Databases  | NoSQL Databases
            app       | Azure App Service       | Web        | Application Platforms
            monitor   | Azure Monitor           | Management and Governance | Observability
            redis     | Azure Cache for Redis   | Databases  | Caching
            frontdoor | Azure Front Door        | Networking | Content Delivery
            keyvault  | Key Vault               | Security   | Cryptography
            functions | Azure Functions         | Compute    | Serverless Compute
            adf       | Azure Data Factory      | Analytics  | Data Processing
            backup    | Backup                  | Storage    | Backup Storage
            bandwidth | Bandwidth               | Networking | Network Connectivity
            """
        )
    },
    skus=_skus(
        """
        d4sv5     | vm        | D4s v5                        | Hours     | 0.192
        d8sv5     | vm        | D8s v5                        | Hours     | 0.384
        e8sv5     | vm        | E8s v5                        | Hours     | 0.504
        e4sv5     | vm        | E4s v5                        | Hours     | 0.252
        b4ms      | vm        | B4ms                          | Hours     | 0.166
        p30       | storage   | P30 LRS Disk                  | Months    | 135.17
        hot-lrs   | storage   | Hot LRS Data Stored           | GB-Months | 0.0184
        hot-ops   | storage   | Hot LRS Write Operations | 10000 Operations | 0.065 | Operations | 10000
        sql-vcore | sql       | vCore General Purpose Gen5    | Hours     | 0.2522
        sql-data  | sql       | General Purpose Data Stored   | GB-Months | 0.115
        aks-sla   | aks       | Standard Uptime SLA           | Hours     | 0.10
        cosmos-ru | cosmos    | 100 RU/s                      | Hours     | 0.008
        cosmos-gb | cosmos    | Data Stored                   | GB-Months | 0.25
        p2v3      | app       | P2 v3 App                     | Hours     | 0.338
        la-ingest | monitor   | Analytics Logs Data Ingestion | GB        | 2.30
        redis-c2  | redis     | C2 Cache Instance             | Hours     | 0.275
        fd-base   | frontdoor | Standard Base Fees            | Hours     | 0.048
        fd-out    | frontdoor | Standard Data Transfer Out    | GB        | 0.083
        kv-ops    | keyvault  | Operations       | 10000 Operations | 0.03 | Operations | 10000
        func-gbs  | functions | Standard Execution Time       | GB-Seconds | 0.000016
        adf-diu   | adf       | Cloud Data Movement           | Hours     | 0.25
        backup-gb | backup    | GRS Data Stored               | GB-Months | 0.0448
        bw-out    | bandwidth | Standard Data Transfer Out    | GB        | 0.087
        """
    ),
    resources=_resources(
        """
        vm     | Virtual machine | ~compute/virtualmachines/vm-{app}-{n:02d}     | | z
        disk   | Disk            | ~compute/disks/disk-{app}-{n:02d}             | | z
        sa     | Storage account | ~storage/storageaccounts/stnwl{hex:.12}       | |
        sqldb  | SQL database    | ~sql/servers/sql-{app}-{env}/databases/{slug} | |
        aks    | Kubernetes service | ~containerservice/managedclusters/aks-{app}-{env}-{n} | |
        cosmos | Azure Cosmos DB account | ~documentdb/databaseaccounts/cosmos-{app}-{n} | |
        plan   | App Service plan | ~web/serverfarms/asp-{app}-{env}-{n:02d}     | |
        law    | Log Analytics workspace | ~operationalinsights/workspaces/log-{app}-{n} | |
        redis  | Azure Cache for Redis | ~cache/redis/redis-{app}-{env}-{n}      | |
        afd    | Front Door profile | ~cdn/profiles/afd-{app}-{env}              | |
        kv     | Key vault       | ~keyvault/vaults/kv-{app}-{env}-{n}           | |
        func   | Function app    | ~web/sites/func-{app}-{slug}                  | |
        adf    | Data factory    | ~datafactory/factories/adf-{app}-{n}          | |
        rsv    | Recovery Services vault | ~recoveryservices/vaults/rsv-{app}-{n} | |
        bw     |                 |                                               | |
        """,
        AZURE_PREFIX,
    ),
    workloads=_workloads(
        """
        vm | d8sv5 | 24 | 8 | steady | prod @ eastus westus2 | shop
        vm | e8sv5 | 24 | 6 | steady | prod @ eastus | erp-integration catalog
        vm | d8sv5 | 24 | 6 | steady | prod @ eastus | k8s-platform
        vm | b4ms | 24 | 8 | office | dev @ eastus | shop | untagged=0.3
        vm | d4sv5 | 24 | 8 | steady | eu @ westeurope gwc | eu-storefront
        vm | e4sv5 | 24 | 4 | steady | eu @ westeurope | eu-storefront erp-integration
        disk | p30 | 0.0328767 | 12 | steady | prod eu dev @ eastus westeurope | shop eu-storefront
        sa | hot-lrs hot-ops*0.05/traffic | 200~2000 | 8 | storage | prod shared eu @ eastus westeurope | data-lake web-frontend eu-storefront | untagged=0.2
        sqldb | sql-vcore sql-data*0.05/storage | 48~192 | 6 | steady | prod @ eastus | shop-core erp-integration | step=48
        sqldb | sql-vcore sql-data*0.05/storage | 96~192 | 3 | steady | eu @ westeurope | eu-storefront | step=48
        sqldb | sql-vcore | 48 | 2 | steady | dev @ eastus | shop-core
        aks | aks-sla | 24 | 4 | steady | prod dev eu @ eastus westeurope | k8s-platform
        cosmos | cosmos-ru cosmos-gb*0.0008/storage | 960~4800 | 6 | traffic | prod @ eastus | mobile-backend catalog
        plan | p2v3 | 24 | 8 | steady | prod @ eastus | web-frontend mobile-backend
        plan | p2v3 | 24 | 4 | steady | eu @ westeurope | eu-storefront
        law | la-ingest | 2~10 | 4 | traffic | prod shared eu @ eastus westeurope | observability
        redis | redis-c2 | 24 | 4 | steady | prod eu @ eastus westeurope | web-frontend eu-storefront
        afd | fd-base/steady fd-out*10 | 24 | 2 | traffic | prod @ global | web-frontend
        kv | kv-ops | 10~200 | 4 | traffic | prod shared eu @ eastus westeurope | security-tooling
        func | func-gbs | 20000~300000 | 6 | traffic | prod eu @ eastus westeurope | erp-integration eu-storefront mobile-backend
        adf | adf-diu | 20~120 | 3 | batch | shared @ eastus | erp-integration etl
        rsv | backup-gb | 50~350 | 6 | storage | shared eu @ eastus westeurope | erp-integration eu-storefront | untagged=0.35
        bw | bw-out | 50~300 | 4 | traffic | prod eu @ eastus westeurope | | untagged=1
        """
    ),
)

GCP = Provider(
    key="gcp",
    name="Google Cloud",
    issuer="Google",
    billing_type="Billing Account",
    sub_type="Project",
    growth=0.035,
    discount=0.04,
    tax_rate=0.0,
    invoice=("", 10),
    tag_keys=("team", "env", "cost_center", "app"),
    accounts=_accounts(
        {"main": ("01A2B3-C4D5E6-F7A8B9", "Northwind Labs", "USD")},
        """
        web       | main | nwl-web-prod       | NWL Web Prod       | prod
        analytics | main | nwl-analytics-prod | NWL Analytics Prod | prod
        ml        | main | nwl-ml-platform    | NWL ML Platform    | prod
        """,
    ),
    regions={
        "usc1": ("us-central1", "Iowa"),
        "euw1": ("europe-west1", "Belgium"),
        "ane1": ("asia-northeast1", "Tokyo"),
        "global": ("global", "Global"),
    },
    services={
        k: (name, cat, sub)
        for k, name, cat, sub in _rows(
            """
            gce      | Compute Engine      | Compute     | Virtual Machines
            bq       | BigQuery            | Databases   | Data Warehouses
            gcs      | Cloud Storage       | Storage     | Object Storage
            gke      | Kubernetes Engine   | Compute     | Containers
            sql      | Cloud SQL           | Databases   | Relational Databases
            vertex   | Vertex AI           | AI and Machine Learning | AI Platforms
            dataflow | Dataflow            | Analytics   | Data Processing
            pubsub   | Cloud Pub/Sub       | Integration | Messaging
            logging  | Cloud Logging       | Management and Governance | Observability
            run      | Cloud Run           | Compute     | Serverless Compute
            net      | Networking          | Networking  | Network Connectivity
            redis    | Cloud Memorystore for Redis | Databases | Caching
            """
        )
    },
    skus=_skus(
        """
        n2-core   | gce      | N2 Instance Core running in Americas | Hours | 0.031611
        n2-ram    | gce      | N2 Instance Ram running in Americas | GiB-Hours | 0.004237
        pd-ssd    | gce      | SSD backed PD Capacity              | GiB-Months | 0.17
        bq-scan   | bq       | Analysis                            | TiB | 6.25
        bq-store  | bq       | Active Logical Storage              | GiB-Months | 0.02
        gcs-std   | gcs      | Standard Storage US Multi-region    | GiB-Months | 0.026
        gcs-ops   | gcs      | Multi-Region Standard Class A Operations | 1000 Operations | 0.005 | Operations | 1000
        gke-mgmt  | gke      | Regional Kubernetes Clusters        | Hours | 0.10
        autopilot | gke      | Autopilot Pod vCPU Requests         | Hours | 0.0445
        sql-core  | sql      | Cloud SQL for PostgreSQL: Regional - vCPU | Hours | 0.0826
        sql-ram   | sql      | Cloud SQL for PostgreSQL: Regional - RAM | GiB-Hours | 0.014
        vx-pred   | vertex   | Vertex AI Prediction: n1-standard-8 in Americas | Hours | 0.437
        vx-gpu    | vertex   | Vertex AI Prediction: NVIDIA Tesla T4 in Americas | Hours | 0.4025
        vx-train  | vertex   | Vertex AI Training: A100 40GB in Americas | Hours | 2.933
        df-vcpu   | dataflow | Dataflow Batch vCPU Time            | Hours | 0.056
        ps-tput   | pubsub   | Message Delivery Basic              | TiB | 40
        log-vol   | logging  | Log Volume                          | GiB | 0.50
        run-cpu   | run      | CPU Allocation Time                 | vCPU-Seconds | 0.000024
        run-mem   | run      | Memory Allocation Time              | GiB-Seconds | 0.0000025
        egress    | net      | Network Internet Egress from Americas to Americas | GiB | 0.12
        redis-gb  | redis    | Redis Capacity Standard M2          | GiB-Hours | 0.054
        """
    ),
    resources=_resources(
        """
        instance | Compute instance | //compute.googleapis.com/projects/{acct}/zones/{zone}/instances/{app}-{slug} | | z
        disk     | Disk | //compute.googleapis.com/projects/{acct}/zones/{zone}/disks/{app}-{slug} | | z
        dataset  | Dataset | //bigquery.googleapis.com/projects/{acct}/datasets/{slug}_{n} | |
        bucket   | Bucket | //storage.googleapis.com/projects/_/buckets/nwl-{app}-{slug} | |
        cluster  | Cluster | //container.googleapis.com/projects/{acct}/locations/{region}/clusters/{app}-{n} | |
        pods     | Namespace | //container.googleapis.com/projects/{acct}/locations/{region}/clusters/autopilot/k8s/namespaces/{app}-{n} | |
        sqlinst  | Cloud SQL instance | //cloudsql.googleapis.com/projects/{acct}/instances/{app}-{n} | |
        endpoint | Endpoint | //aiplatform.googleapis.com/projects/{acct}/locations/{region}/endpoints/{hex:.12} | {app}-{slug} |
        trainjob | Custom job | //aiplatform.googleapis.com/projects/{acct}/locations/{region}/customJobs/{hex:.12} | {app}-{slug} |
        job      | Dataflow job | //dataflow.googleapis.com/projects/{acct}/locations/{region}/jobs/{app}-{slug} | |
        topic    | Topic | //pubsub.googleapis.com/projects/{acct}/topics/{app}-{slug} | |
        logs     | Log bucket | //logging.googleapis.com/projects/{acct}/locations/global/buckets/{app}-{n} | |
        service  | Cloud Run service | //run.googleapis.com/projects/{acct}/locations/{region}/services/{app}-{slug} | |
        egress   | | | |
        redis    | Redis instance | //redis.googleapis.com/projects/{acct}/locations/{region}/instances/{app}-{n} | |
        """
    ),
    workloads=_workloads(
        """
        instance | n2-core n2-ram*4 | 288~768 | 7 | steady | web @ usc1 ane1 | web-frontend catalog search-api | step=96
        instance | n2-core n2-ram*4 | 288~768 | 5 | steady | analytics @ usc1 euw1 | etl warehouse | step=96
        instance | n2-core n2-ram*8 | 192~288 | 4 | steady | ml @ usc1 | recommendations | step=96
        disk | pd-ssd | 8~40 | 12 | storage | web analytics ml @ usc1 | web-frontend etl recommendations | step=0.001
        dataset | bq-scan bq-store*60/storage | 2~15 | 8 | batch | analytics @ usc1 euw1 | warehouse etl data-lake
        bucket | gcs-std gcs-ops*0.3/traffic | 150~2000 | 9 | storage | analytics web ml @ usc1 euw1 | data-lake web-frontend recommendations | untagged=0.15
        cluster | gke-mgmt | 24 | 4 | steady | web analytics ml @ usc1 | k8s-platform
        pods | autopilot | 48~480 | 6 | traffic | web @ usc1 | web-frontend search-api
        sqlinst | sql-core sql-ram*4 | 48~192 | 6 | steady | web analytics @ usc1 | catalog etl | step=48
        endpoint | vx-pred vx-gpu | 24 | 4 | steady | ml @ usc1 | assistant recommendations | start=launch
        trainjob | vx-train | 4~16 | 2 | batch | ml @ usc1 | assistant | start=-launch
        job | df-vcpu | 50~600 | 6 | batch | analytics @ usc1 | etl
        topic | ps-tput | 0.02~0.2 | 6 | traffic | analytics web @ usc1 | etl web-frontend
        logs | log-vol | 5~40 | 5 | traffic | web analytics ml @ usc1 | observability
        service | run-cpu run-mem*2 | 30000~600000 | 5 | traffic | web @ usc1 euw1 | web-frontend search-api
        egress | egress | 30~200 | 4 | traffic | web analytics @ usc1 euw1 | | untagged=1
        redis | redis-gb | 120~624 | 3 | steady | web @ usc1 | web-frontend catalog | step=24
        """
    ),
)

OCI = Provider(
    key="oci",
    name="Oracle",
    issuer="Oracle",
    billing_type="Tenancy",
    sub_type="Compartment",
    growth=0.015,
    discount=0.12,
    tax_rate=0.0,
    invoice=("", 8),
    tag_keys=("team", "env", "cost-center", "app"),
    accounts=_accounts(
        {"tenancy": ("ocid1.tenancy.oc1..aaaaaaaa5nw2lbsq7kx4f3m6tdyc2hb", "northwindlabs", "USD")},
        """
        prod      | tenancy | ocid1.compartment.oc1..aaaaaaaa3f7qk2mzl5v6xd4tyc8wnb | nwl-prod      | prod
        analytics | tenancy | ocid1.compartment.oc1..aaaaaaaa9r4tn6bxh2c5kw7pyd3qmf | nwl-analytics | prod
        """,
    ),
    regions={
        "iad": ("us-ashburn-1", "US East (Ashburn)"),
        "fra": ("eu-frankfurt-1", "Germany Central (Frankfurt)"),
    },
    services={
        k: (name, cat, sub)
        for k, name, cat, sub in _rows(
            """
            compute | Compute             | Compute    | Virtual Machines
            block   | Block Volume        | Storage    | Block Storage
            object  | Object Storage      | Storage    | Object Storage
            adb     | Autonomous Database | Databases  | Relational Databases
            lb      | Load Balancer       | Networking | Network Infrastructure
            net     | Networking          | Networking | Network Connectivity
            """
        )
    },
    skus=_skus(
        """
        e4-ocpu | compute | Compute - Standard - E4 - OCPU   | Hours     | 0.025
        e4-mem  | compute | Compute - Standard - E4 - Memory | GB-Hours  | 0.0015
        bv-gb   | block   | Block Volume - Storage           | GB-Months | 0.0255
        os-gb   | object  | Object Storage - Storage         | GB-Months | 0.0255
        adb-cpu | adb     | Autonomous Transaction Processing - ECPU | Hours | 0.336
        adb-gb  | adb     | Autonomous Database Storage      | GB-Months | 0.1156
        lb-base | lb      | Load Balancer Base               | Hours     | 0.0113
        egress  | net     | Outbound Data Transfer Zone 1    | GB        | 0.0085
        """
    ),
    resources=_resources(
        """
        instance | Instance            | ocid1.instance.oc1.{rkey}.{ocid}           | {app}-{env}-{n:02d} | z
        volume   | Volume              | ocid1.volume.oc1.{rkey}.{ocid}             | {app}-vol-{n:02d}   | z
        bucket   | Bucket              | ocid1.bucket.oc1.{rkey}.{ocid}             | nwl-{app}-{slug}    |
        adb      | Autonomous Database | ocid1.autonomousdatabase.oc1.{rkey}.{ocid} | {app}-adb-{n}       |
        lb       | Load Balancer       | ocid1.loadbalancer.oc1.{rkey}.{ocid}       | lb-{app}-{n}        |
        egress   |                     |                                            |                     |
        """
    ),
    workloads=_workloads(
        """
        instance | e4-ocpu e4-mem*16 | 288~768 | 10 | steady | prod analytics @ iad fra | erp-integration warehouse etl | step=24
        volume | bv-gb | 60~240 | 8 | storage | prod analytics @ iad fra | erp-integration warehouse | step=0.001
        bucket | os-gb | 300~3000 | 6 | storage | analytics @ iad | data-lake warehouse | untagged=0.2
        adb | adb-cpu adb-gb*0.3/storage | 72~288 | 3 | traffic | prod analytics @ iad | erp-integration warehouse | late=0
        lb | lb-base | 24 | 4 | steady | prod @ iad fra | erp-integration
        egress | egress | 1000~5000 | 2 | traffic | prod analytics @ iad | | untagged=1
        """
    ),
)

PROVIDERS = (AWS, AZURE, GCP, OCI)
LAUNCH = EVENTS["launch"]


@dataclass(frozen=True)
class Spike:
    """A bad day: the first live line of `sku` costs `extra_usd` more (at list) for `days`."""

    provider: str
    sku: str
    when: float
    days: int
    extra_usd: float


@dataclass(frozen=True)
class Credit:
    """A monthly credit: `share` of the month's BilledCost of one service, at most `cap` USD,
    for `months` billing months starting with the one at window fraction `first`."""

    provider: str
    account: str
    service: str
    description: str
    first: float
    months: int
    share: float
    cap: float


SPIKES = (
    Spike("azure", "la-ingest", 0.27, 3, 1_100),  # debug logging left on over a weekend
    Spike("aws", "lambda-gbs", 0.44, 1, 2_800),  # a function invoking itself in a loop
    Spike("aws", "glue-dpu", 0.71, 1, 5_500),  # a runaway ETL job
    Spike("gcp", "bq-scan", 0.86, 1, 6_000),  # an analyst's full scan of the events table
    Spike("aws", "nat-bytes", 0.93, 2, 2_200),  # a backup sync routed through the NAT gateway
)
CREDITS = (
    Credit("aws", "prod", "bedrock", "AWS Generative AI Accelerator credit", LAUNCH, 3, 1.0, 4_000),
    Credit("gcp", "analytics", "bq", "Promotional credit: BigQuery migration", 0.0, 3, 1.0, 1_500),
    Credit("azure", "prod", "vm", "SLA credit: Virtual Machines, East US", 0.45, 1, 0.10, 900),
)
# The Savings Plan: bought in AWS prod; covers the instances of workloads marked `committed`.
PLAN_TERM_DAYS = 365
PLAN_DISCOUNT = 0.28  # Savings Plan rate below the contracted on-demand rate
PLAN_UTILIZATION = 0.96  # the hourly commitment is sized for this share of covered usage
PLAN_NAME = "Compute Savings Plan, 1 year, All Upfront"
PLAN_ACCOUNT = "prod"
SPOT_RATE = 0.34  # spot price as a share of the on-demand list price


@dataclass(frozen=True)
class Window:
    """The demo's calendar days: whole months up to `end`, whose month is partial."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, months: int) -> Window:
        first = end.replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return cls(first, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def day(self, fraction: float) -> int:
        return min(int(fraction * self.days), self.days - 1)

    def months(self) -> list[date]:
        out = [self.start]
        while (nxt := _next_month(out[-1])) <= self.end:
            out.append(nxt)
        return out


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass
class Fleet:
    """Every billed line (resource x SKU) of one provider, as parallel arrays."""

    provider: Provider
    text: dict[str, pa.Array]  # per-line FOCUS text columns
    sku: np.ndarray
    kind: np.ndarray
    qty: np.ndarray  # daily pricing quantity at the end of the window, before shape and noise
    price: np.ndarray  # list unit price, USD
    rate: np.ndarray  # contracted / list
    block: np.ndarray
    start: np.ndarray  # window fractions
    end: np.ndarray
    committed: np.ndarray
    spot: np.ndarray
    eur: np.ndarray
    account: np.ndarray  # index into provider.accounts
    service: np.ndarray  # index into provider.services
    billing: np.ndarray  # index into billing_ids(provider)


@dataclass(frozen=True)
class Placed:
    """One resource of a workload: where it lives, what it is called, its tags, size, life."""

    account: Account
    region: tuple[str | None, str | None]
    zone: str | None
    resource: tuple[str | None, str | None, str | None]  # id, name, type
    tags: str | None
    qty: float
    start: float
    end: float


def billing_ids(p: Provider) -> list[str]:
    return list(dict.fromkeys(a.billing_id for a in p.accounts.values()))


def _fleet(p: Provider, seed: int, scale: int) -> Fleet:
    rng = np.random.default_rng([seed, PROVIDERS.index(p), scale])
    columns: dict[str, list] = defaultdict(list)
    counters: Counter[tuple[str, str, str]] = Counter()
    for w in p.workloads:
        for _ in range(w.count * scale):
            placed = _place(p, w, rng, counters)
            for sku_key, ratio, kind in w.skus:
                for name, value in _line(p, w, placed, p.skus[sku_key], ratio, kind).items():
                    columns[name].append(value)
    text = {k: pa.array(v, pa.string()) for k, v in columns.items() if k[0].isupper()}
    numeric = {k: np.array(v) for k, v in columns.items() if k[0].islower()}
    return Fleet(provider=p, text=text, **numeric)


def _pick(options: tuple[str, ...], rng: np.random.Generator) -> str:
    """The first option most often: accounts and regions are rarely used evenly."""
    weights = 0.55 ** np.arange(len(options))
    return options[rng.choice(len(options), p=weights / weights.sum())]


def _place(
    p: Provider, w: Workload, rng: np.random.Generator, counters: Counter[tuple[str, str, str]]
) -> Placed:
    account = p.accounts[_pick(w.accounts, rng)]
    region = _pick(w.regions, rng)
    apps = [a for token in w.apps for a in APP_GROUPS.get(token, token).split()]
    app = str(rng.choice(apps)) if apps else ""
    counters[w.resource, app, account.env] += 1
    n = counters[w.resource, app, account.env]
    word = _WORDS[(n - 1) % len(_WORDS)]
    hexed = rng.bytes(16).hex()
    resource = p.resources[w.resource]
    region_id, region_name = p.regions[region]
    zone = _zone(p.key, region_id, int(rng.integers(3))) if resource.zonal else None
    fields = {
        "acct": account.sub_id,
        "region": region_id or "",
        "rkey": region,
        "zone": zone,
        "app": app or "adhoc",
        "env": account.env,
        "n": n,
        "slug": word if n <= len(_WORDS) else f"{word}-{(n - 1) // len(_WORDS) + 1}",
        "hex": hexed,
        "HEX": hexed.upper(),
        "uuid": f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}",
        "ocid": f"amaaaaaa{hexed}{hexed[::-1]}"[:60],
    }
    rid = resource.id.format(**fields) or None
    name = resource.name.format(**fields) if resource.name and rid else rid
    return Placed(
        account=account,
        region=(region_id, region_name),
        zone=zone,
        resource=(rid, name and name.rsplit("/", 1)[-1].rsplit(":", 1)[-1], resource.type),
        tags=_tags(p, w, account, app, rng),
        qty=_quantity(w, rng),
        start=_start(w, rng),
        end=w.end + rng.uniform(0, 0.015) if math.isfinite(w.end) else math.inf,
    )


def _zone(provider: str, region: str | None, i: int) -> str:
    """us-east-1b, 2 (Azure), us-central1-b, kIdk:US-ASHBURN-AD-2 (OCI availability domain)."""
    formats = {"aws": "{r}{a}", "azure": "{n}", "gcp": "{r}-{a}", "oci": "kIdk:{city}-AD-{n}"}
    city = str(region).upper().rsplit("-", 1)[0]
    return formats[provider].format(r=region, city=city, a="abc"[i], n=i + 1)


def _quantity(w: Workload, rng: np.random.Generator) -> float:
    lo, hi = w.qty
    qty = math.exp(rng.uniform(math.log(lo), math.log(hi))) if hi > lo else lo
    return max(w.step, round(qty / w.step) * w.step) if w.step else qty


def _start(w: Workload, rng: np.random.Generator) -> float:
    """Event workloads start together (a few days' stagger); others partly join over time."""
    if w.start:
        return w.start + rng.uniform(0, 0.015)
    late = w.late if w.late is not None else (0.25 if w.kind <= KINDS.index("office") else 0.1)
    return rng.uniform(0.02, 0.95) if rng.random() < late else 0.0


def _tags(
    p: Provider, w: Workload, account: Account, app: str, rng: np.random.Generator
) -> str | None:
    """Full tags mostly; else none, only env (and app), or no cost center: the usual gaps."""
    team_key, env_key, cc_key, app_key = p.tag_keys
    untagged = max(w.untagged, 0.7) if account.env == "sandbox" else w.untagged
    u = rng.random()
    if not app or u < untagged * 0.6:
        return None
    if u < untagged:
        tags = {env_key: account.env} | ({app_key: app} if u > untagged * 0.8 else {})
    else:
        team, cost_center = APPS[app]
        tags = {team_key: team, env_key: account.env, cc_key: cost_center, app_key: app}
        if u < untagged + 0.05:
            del tags[cc_key]
    return json.dumps(tags, separators=(",", ":"))


def _line(
    p: Provider, w: Workload, placed: Placed, sku: Sku, ratio: float, kind: int
) -> dict[str, object]:
    """One billed line: its text columns (FOCUS names) and the numbers the generator needs."""
    account = placed.account
    service, category, subcategory = p.services[sku.service]
    sku_id, price_id = _sku_ids(p.key, sku.key)
    negotiated = 1 - p.discount if account.currency == "USD" else 1.0  # the GmbH pays list
    return {
        "AvailabilityZone": placed.zone,
        "BillingAccountId": account.billing_id,
        "BillingAccountName": account.billing_name,
        "BillingCurrency": account.currency,
        "ChargeDescription": f"${_number(sku.price)} per {_per(sku.unit)}, {sku.meter}",
        "ConsumedUnit": sku.consumed_unit,
        "PricingUnit": sku.unit,
        "RegionId": placed.region[0],
        "RegionName": placed.region[1],
        "ResourceId": placed.resource[0],
        "ResourceName": placed.resource[1],
        "ResourceType": placed.resource[2] if placed.resource[0] else None,
        "ServiceCategory": category,
        "ServiceName": service,
        "ServiceSubcategory": subcategory,
        "SkuId": sku_id,
        "SkuMeter": sku.meter,
        "SkuPriceId": price_id,
        "SubAccountId": account.sub_id,
        "SubAccountName": account.sub_name,
        "Tags": placed.tags,
        "sku": sku.key,
        "kind": kind,
        "qty": placed.qty * ratio,
        "price": sku.price,
        "rate": SPOT_RATE if w.spot else negotiated,
        "block": sku.block,
        "start": placed.start,
        "end": placed.end,
        "committed": w.committed,
        "spot": w.spot,
        "eur": account.currency == "EUR",
        "account": list(p.accounts).index(account.key),
        "service": list(p.services).index(sku.service),
        "billing": billing_ids(p).index(account.billing_id),
    }


def _number(value: float) -> str:
    return f"{value:.10f}".rstrip("0").rstrip(".")


def _per(unit: str) -> str:
    """'Hours' -> 'Hour', 'Queries' -> 'Query'; '1000 Tokens' stays (a block of them)."""
    if unit[0].isdigit() or not unit.endswith("s"):
        return unit
    return unit[:-3] + "y" if unit.endswith("ies") else unit[:-1]


def _sku_ids(provider: str, key: str) -> tuple[str, str]:
    """Stable SKU and price ids in each provider's usual shape."""
    digest = hashlib.sha256(f"{provider}:{key}".encode()).hexdigest()
    if provider == "aws":
        code = _alnum(digest, 16)
        return code, f"{code}.JRTCKXETXF.6YS6EN2CT7"
    if provider == "azure":
        code = _alnum(digest, 12)
        return code, f"{code}/{_alnum(digest[32:], 4)}"
    if provider == "gcp":
        code = "-".join(digest[i : i + 4] for i in (0, 4, 8)).upper()
        return code, code
    code = f"B{int(digest[:8], 16) % 100_000:05d}"
    return code, code


def _alnum(digest: str, n: int) -> str:
    value, out = int(digest, 16), []
    for _ in range(n):
        value, r = divmod(value, 36)
        out.append("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r])
    return "".join(out)


@dataclass
class Plan:
    """One provider's fleet laid over one window: day indices, growth, events resolved."""

    fleet: Fleet
    window: Window
    start_day: np.ndarray
    end_day: np.ndarray
    growth: np.ndarray  # per window day
    weekday: np.ndarray  # per window day
    day_text: pa.Array  # ISO timestamps of window days 0..n (n: the day after the end)
    spikes: list[tuple[int, int, int, float]]  # line, first day, end day, extra quantity
    purchase_day: int | None = None
    commit_daily: int = 0  # micro-USD of the Savings Plan per day

    @property
    def provider(self) -> Provider:
        return self.fleet.provider

    def covered(self, di: np.ndarray, li: np.ndarray) -> np.ndarray:
        """Rows the Savings Plan pays for: its instances, during its term."""
        if self.purchase_day is None:
            return np.zeros(len(li), bool)
        term = (di >= self.purchase_day) & (di < self.purchase_day + PLAN_TERM_DAYS)
        return self.fleet.committed[li] & term


def _plan(fleet: Fleet, window: Window) -> Plan:
    n = window.days
    t = np.arange(n)
    start_day = np.floor(fleet.start * n).astype(np.int64)
    end_day = np.where(np.isinf(fleet.end), n + 1, np.floor(np.minimum(fleet.end, 2.0) * n))
    day_text = pa.array([_iso(window.start + timedelta(days=int(d))) for d in range(n + 1)])
    plan = Plan(
        fleet=fleet,
        window=window,
        start_day=start_day,
        end_day=end_day.astype(np.int64),
        growth=(1 + fleet.provider.growth) ** ((t - (n - 1)) / 30.4375),
        weekday=(window.start.weekday() + t) % 7,
        day_text=day_text,
        spikes=[],
    )
    spikes = (_spike(plan, s) for s in SPIKES if s.provider == fleet.provider.key)
    plan.spikes = [s for s in spikes if s]
    if fleet.committed.any():
        plan.purchase_day = window.day(EVENTS["purchase"])
        plan.commit_daily = _commitment(fleet)
    return plan


def _iso(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _spike(plan: Plan, spike: Spike) -> tuple[int, int, int, float] | None:
    """The spike on the first line of its SKU that runs that day (None: none does)."""
    first = plan.window.day(spike.when)
    live = (plan.fleet.sku == spike.sku) & (plan.start_day <= first) & (plan.end_day > first)
    if not live.any():
        return None
    line = int(np.flatnonzero(live)[0])
    return line, first, first + spike.days, spike.extra_usd / plan.fleet.price[line]


def _commitment(fleet: Fleet) -> int:
    """Daily commitment (micro-USD): covered usage at the plan rate over the target utilization,
    rounded up to a whole $0.50 an hour as a purchase would be."""
    covered = np.flatnonzero(fleet.committed)
    used = sum(
        _plan_rate(_micro(fleet.qty[i] * MICRO * fleet.price[i] * fleet.rate[i])) for i in covered
    )
    half_dollars_an_hour = math.ceil(used / PLAN_UTILIZATION / 24 / (MICRO // 2))
    return half_dollars_an_hour * (MICRO // 2) * 24


def _micro(value: np.ndarray | float) -> np.ndarray:
    return np.rint(value).astype(np.int64)


def _plan_rate(contracted: np.ndarray | int) -> np.ndarray:
    return _micro(np.asarray(contracted) * (1 - PLAN_DISCOUNT))


@dataclass
class Month:
    """One billing period of one provider, and what its rows add up to so far."""

    plan: Plan
    start: date
    t0: int  # window day of the first day
    t1: int  # window day after the last day
    complete: bool
    fx: float  # EUR per USD
    billed: np.ndarray  # BilledCost per (account, service), micro units, for tax and credits
    plan_used: np.ndarray  # Savings Plan EffectiveCost per day, micro-USD

    @property
    def period(self) -> tuple[str, str]:
        return _iso(self.start), _iso(_next_month(self.start))

    def tally(self, di: np.ndarray, li: np.ndarray, costs: Costs) -> None:
        """Add usage rows to the totals the month's other charges are computed from."""
        fleet = self.plan.fleet
        key = fleet.account[li] * len(fleet.provider.services) + fleet.service[li]
        self.billed += _micro(np.bincount(key, costs.billed, len(self.billed)))
        used = costs.effective_usd[costs.covered]
        days = di[costs.covered] - self.t0
        self.plan_used += _micro(np.bincount(days, used, len(self.plan_used)))

    def billed_for(self, account: str, service: str) -> int:
        p = self.plan.provider
        index = list(p.accounts).index(account) * len(p.services) + list(p.services).index(service)
        return int(self.billed[index])

    def invoice(self, billing_id: str) -> str | None:
        """Invoices exist once the month is closed."""
        if not self.complete:
            return None
        prefix, digits = self.plan.provider.invoice
        seed = f"{self.plan.provider.key}|{billing_id}|{self.start}".encode()
        number = int(hashlib.sha256(seed).hexdigest(), 16) % 10**digits
        return f"{prefix}{number:0{digits}d}"


def _month(plan: Plan, start: date) -> Month:
    window = plan.window
    t0 = (start - window.start).days
    t1 = min((_next_month(start) - window.start).days, window.days)
    p = plan.provider
    return Month(
        plan=plan,
        start=start,
        t0=t0,
        t1=t1,
        complete=_next_month(start) - timedelta(days=1) <= window.end,
        fx=round(0.92 + 0.025 * math.sin(start.year * 12 + start.month), 4),
        billed=np.zeros(len(p.accounts) * len(p.services), np.int64),
        plan_used=np.zeros(t1 - t0, np.int64),
    )


def _month_tables(plan: Plan, start: date, seed: int) -> Iterator[pa.Table]:
    """Usage in chunks of lines (memory stays bounded at any scale), then the month's other
    charges, which need the usage totals."""
    month = _month(plan, start)
    n_lines = len(plan.fleet.qty)
    per_chunk = max(1, ROWS_PER_CHUNK // max(1, month.t1 - month.t0))
    for i, first in enumerate(range(0, n_lines, per_chunk)):
        key = [seed, PROVIDERS.index(plan.provider), start.year, start.month, i]
        rng = np.random.default_rng(key)
        yield _usage(month, np.arange(first, min(first + per_chunk, n_lines)), rng)
    yield pa.Table.from_pylist(_other_charges(month), schema=SCHEMA)


def _usage(month: Month, lines: np.ndarray, rng: np.random.Generator) -> pa.Table:
    plan = month.plan
    days = np.arange(month.t0, month.t1)
    di, li = np.repeat(days, len(lines)), np.tile(lines, len(days))
    live = (di >= plan.start_day[li]) & (di < plan.end_day[li])
    di, li = di[live], li[live]
    qty = _quantities(plan, di, li, rng)
    keep = qty > 0  # office machines are stopped at weekends: no row
    di, li, qty = di[keep], li[keep], _micro(qty[keep] * MICRO)
    costs = Costs.of(month, li, qty, plan.covered(di, li))
    month.tally(di, li, costs)
    return _table(month, di, li, qty, costs)


def _quantities(plan: Plan, di: np.ndarray, li: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Daily pricing quantities: base size x weekly shape x growth x noise, plus spikes."""
    fleet = plan.fleet
    kind = fleet.kind[li]
    qty = fleet.qty[li] * _WEEKLY[kind, plan.weekday[di]]
    qty *= np.where(_GROWS[kind], plan.growth[di], 1.0)
    qty *= np.exp(rng.normal(0.0, _SIGMA[kind]))
    for line, first, end, extra in plan.spikes:
        qty[(li == line) & (di >= first) & (di < end)] += extra
    return qty


@dataclass
class Costs:
    """Money of usage rows in micro units: USD (the pricing currency) and the billing currency
    factor (1, or EUR per USD for the GmbH)."""

    price: np.ndarray  # list unit price, USD
    rate: np.ndarray  # contracted / list
    covered: np.ndarray  # rows paid by the Savings Plan
    list_usd: np.ndarray
    contracted_usd: np.ndarray
    effective_usd: np.ndarray
    billed_usd: np.ndarray
    fx: np.ndarray

    @classmethod
    def of(cls, month: Month, li: np.ndarray, qty: np.ndarray, covered: np.ndarray) -> Costs:
        fleet = month.plan.fleet
        price, rate = fleet.price[li], fleet.rate[li]
        contracted = _micro(qty * price * rate)
        return cls(
            price=price,
            rate=rate,
            covered=covered,
            list_usd=_micro(qty * price),
            contracted_usd=contracted,
            effective_usd=np.where(covered, _plan_rate(contracted), contracted),
            billed_usd=np.where(covered, 0, contracted),  # paid upfront by the purchase
            fx=np.where(fleet.eur[li], month.fx, 1.0),
        )

    @property
    def billed(self) -> np.ndarray:
        return _micro(self.billed_usd * self.fx)

    def columns(self) -> dict[str, pa.Array]:
        fx, price, rate = self.fx, self.price, self.rate
        return {
            "BilledCost": _decimal(self.billed, 6),
            "EffectiveCost": _decimal(_micro(self.effective_usd * fx), 6),
            "ListCost": _decimal(_micro(self.list_usd * fx), 6),
            "ContractedCost": _decimal(_micro(self.contracted_usd * fx), 6),
            "ListUnitPrice": _decimal(_micro(price * fx * 1e10), 10),
            "ContractedUnitPrice": _decimal(_micro(price * rate * fx * 1e10), 10),
            "PricingCurrencyListUnitPrice": _decimal(_micro(price * 1e10), 10),
            "PricingCurrencyContractedUnitPrice": _decimal(_micro(price * rate * 1e10), 10),
            "PricingCurrencyEffectiveCost": _decimal(self.effective_usd, 6),
            "CommitmentDiscountQuantity": _decimal(self.effective_usd, 6, self.covered),
        }


def _decimal(units: np.ndarray, scale: int, valid: np.ndarray | None = None) -> pa.Array:
    """Integers in units of 10**-scale as an exact decimal column (no float on the way)."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), np.int64)
    words[:, 0], words[:, 1] = units, units >> 63  # 128-bit two's complement, little-endian
    arr = pa.Array.from_buffers(pa.decimal128(38, scale), len(units), [None, pa.py_buffer(words)])
    return arr if valid is None else pc.if_else(pa.array(valid), arr, pa.scalar(None, arr.type))


def _table(month: Month, di: np.ndarray, li: np.ndarray, qty: np.ndarray, costs: Costs) -> pa.Table:
    plan, fleet, p = month.plan, month.plan.fleet, month.plan.provider
    n, covered = len(li), costs.covered
    columns = costs.columns()
    columns |= {name: pc.take(arr, pa.array(li)) for name, arr in fleet.text.items()}
    invoices = pa.array([month.invoice(b) for b in billing_ids(p)], pa.string())
    category = np.where(covered, 1, np.where(fleet.spot[li], 2, 0))
    period_start, period_end = month.period
    constants = {
        "BillingAccountType": p.billing_type,
        "BillingPeriodStart": period_start,
        "BillingPeriodEnd": period_end,
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "InvoiceIssuerName": p.issuer,
        "PricingCurrency": "USD",
        "ProviderName": p.name,
        "PublisherName": p.name,
        "SubAccountType": p.sub_type,
    }
    columns |= {name: pa.repeat(value, n) for name, value in constants.items()}
    columns |= {
        "ChargePeriodStart": pc.take(plan.day_text, pa.array(di)),
        "ChargePeriodEnd": pc.take(plan.day_text, pa.array(di + 1)),
        "ConsumedQuantity": _decimal(_micro(qty * fleet.block[li]), 6),
        "PricingQuantity": _decimal(qty, 6),
        "PricingCategory": pc.take(pa.array(["Standard", "Committed", "Dynamic"]), category),
        "InvoiceId": pc.take(invoices, pa.array(fleet.billing[li])),
    }
    if covered.any():
        columns |= _commitment_columns(plan, covered, "Used")
    return pa.Table.from_arrays(
        [columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in SCHEMA],
        schema=SCHEMA,
    )


def _savings_plan(plan: Plan) -> dict[str, str]:
    payer = next(iter(plan.provider.accounts.values())).billing_id
    uuid = hashlib.sha256(f"{payer}|{plan.window.start}".encode()).hexdigest()
    return {
        "CommitmentDiscountId": f"arn:aws:savingsplans::{payer}:savingsplan/{uuid[:8]}-"
        f"{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:32]}",
        "CommitmentDiscountName": PLAN_NAME,
        "CommitmentDiscountCategory": "Spend",
        "CommitmentDiscountType": "Compute Savings Plan",
        "CommitmentDiscountUnit": "USD",
    }


def _commitment_columns(plan: Plan, covered: np.ndarray, status: str) -> dict[str, pa.Array]:
    mask = pa.array(covered)
    values = _savings_plan(plan) | {"CommitmentDiscountStatus": status}
    return {
        name: pc.if_else(mask, pa.scalar(value), pa.scalar(None, pa.string()))
        for name, value in values.items()
    }


def _other_charges(month: Month) -> list[dict[str, object]]:
    """Rows that are not metered usage: the commitment, credits and tax."""
    rows = _commitment_rows(month) if month.plan.purchase_day is not None else []
    if month.complete:
        rows += _credit_rows(month) + _tax_rows(month)
    return rows


def _base_row(month: Month, account: Account, service: str | None) -> dict[str, object]:
    p = month.plan.provider
    period_start, period_end = month.period
    row: dict[str, object] = {
        "BillingAccountId": account.billing_id,
        "BillingAccountName": account.billing_name,
        "BillingAccountType": p.billing_type,
        "BillingCurrency": account.currency,
        "BillingPeriodStart": period_start,
        "BillingPeriodEnd": period_end,
        "ChargePeriodStart": period_start,
        "ChargePeriodEnd": period_end,
        "InvoiceId": month.invoice(account.billing_id),
        "InvoiceIssuerName": p.issuer,
        "PricingCurrency": "USD",
        "ProviderName": p.name,
        "PublisherName": p.name,
        "SubAccountId": account.sub_id,
        "SubAccountName": account.sub_name,
        "SubAccountType": p.sub_type,
    }
    if service:
        name, category, subcategory = p.services[service]
        row |= {"ServiceName": name, "ServiceCategory": category, "ServiceSubcategory": subcategory}
    return row


def _dec(units: int) -> Decimal:
    return Decimal(int(units)).scaleb(-6)


def _amounts(billed: int, effective: int, list_cost: int) -> dict[str, object]:
    """Money of a row that is not metered usage. These are all on USD accounts, where the
    pricing currency amounts equal the billing ones."""
    return {
        "BilledCost": _dec(billed),
        "EffectiveCost": _dec(effective),
        "ListCost": _dec(list_cost),
        "ContractedCost": _dec(list_cost),
        "PricingCurrencyEffectiveCost": _dec(effective),
    }


def _commitment_rows(month: Month) -> list[dict[str, object]]:
    """The purchase on its day, and each day's unused share of the commitment."""
    plan = month.plan
    bought = plan.purchase_day
    sp = _savings_plan(plan)
    common = _base_row(month, plan.provider.accounts[PLAN_ACCOUNT], "savings") | sp
    common |= {"ResourceId": sp["CommitmentDiscountId"], "ResourceName": PLAN_NAME}
    common["ResourceType"] = "Savings Plan"
    rows = []
    if month.t0 <= bought < month.t1:
        total = plan.commit_daily * PLAN_TERM_DAYS
        hourly = _number(plan.commit_daily / 24 / MICRO)
        term_end = plan.window.start + timedelta(days=bought + PLAN_TERM_DAYS)
        purchase = {
            "ChargeCategory": "Purchase",
            "ChargeFrequency": "One-Time",
            "ChargeDescription": f"{PLAN_NAME}, ${hourly} per hour commitment",
            "ChargePeriodStart": plan.day_text[bought].as_py(),
            "ChargePeriodEnd": _iso(term_end),  # the purchase covers the whole term
            "PricingCategory": "Standard",
            "CommitmentDiscountQuantity": _dec(total),
        }
        rows.append(common | _amounts(total, 0, total) | purchase)
    for t in range(max(bought, month.t0), min(bought + PLAN_TERM_DAYS, month.t1)):
        unused = plan.commit_daily - int(month.plan_used[t - month.t0])
        waste = {
            "ChargeCategory": "Usage",
            "ChargeFrequency": "Usage-Based",
            "ChargeDescription": "Unused Savings Plan commitment",
            "ChargePeriodStart": plan.day_text[t].as_py(),
            "ChargePeriodEnd": plan.day_text[t + 1].as_py(),
            "PricingCategory": "Committed",
            "CommitmentDiscountStatus": "Unused",
            "CommitmentDiscountQuantity": _dec(unused),
        }
        rows.append(common | _amounts(0, unused, 0) | waste)
    return rows


def _credit_rows(month: Month) -> list[dict[str, object]]:
    p, window = month.plan.provider, month.plan.window
    rows = []
    for credit in (c for c in CREDITS if c.provider == p.key):
        first = window.start + timedelta(days=window.day(credit.first))
        months_in = (month.start.year - first.year) * 12 + month.start.month - first.month
        billed = month.billed_for(credit.account, credit.service)
        amount = int(min(credit.cap * MICRO, credit.share * billed))
        if not 0 <= months_in < credit.months or amount <= 0:
            continue
        kind = {"ChargeCategory": "Credit", "ChargeFrequency": "One-Time"}
        kind["ChargeDescription"] = credit.description
        base = _base_row(month, p.accounts[credit.account], credit.service)
        rows.append(base | _amounts(-amount, -amount, 0) | kind)
    return rows


def _tax_rows(month: Month) -> list[dict[str, object]]:
    """Sales tax per account and service, as AWS bills it."""
    p = month.plan.provider
    rows = []
    for account in p.accounts.values() if p.tax_rate else ():
        for service, (name, _, _) in p.services.items():
            tax = round(month.billed_for(account.key, service) * p.tax_rate)
            if tax > 0:
                kind = {"ChargeCategory": "Tax", "ChargeFrequency": "Recurring"}
                kind["ChargeDescription"] = f"US sales tax on {name}"
                rows.append(_base_row(month, account, service) | _amounts(tax, tax, tax) | kind)
    return rows


def _write(path: Path, tables: Iterator[pa.Table]) -> None:
    """gzip CSV with FOCUS display-name headers. Python's gzip, not Arrow's: Arrow compresses at
    level 9 only (twice as slow for 3% smaller files); mtime 0 and no name keep the bytes equal."""
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as stream,
        pa_csv.CSVWriter(stream, SCHEMA) as writer,
    ):
        for table in tables:
            writer.write_table(table)


def _yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def _generate(
    out_dir: Path, months: int, seed: int, end: date | None, scale: int
) -> Iterator[tuple[Provider, Path]]:
    if months < 1 or scale < 1:
        raise ValueError("months and scale must be at least 1")
    window = Window.ending(end or _yesterday(), months)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = [_plan(_fleet(p, seed, scale), window) for p in PROVIDERS]
    for month in window.months():
        for plan in plans:
            path = out_dir / f"demo-{plan.provider.key}-{month:%Y-%m}.csv.gz"
            _write(path, _month_tables(plan, month, seed))
            yield plan.provider, path


def generate(
    out_dir: Path, *, months: int = 13, seed: int = 7, end: date | None = None, scale: int = 1
) -> list[Path]:
    """Write the demo company's FOCUS files, one per provider and billing month, oldest first.

    The window is `months` calendar months ending with the month of `end` (default: yesterday,
    UTC), that last month partial up to `end`. Same arguments, same bytes.
    """
    return [path for _, path in _generate(out_dir, months, seed, end, scale)]


def load_demo(
    engine: sa.Engine,
    out_dir: Path,
    *,
    months: int = 13,
    seed: int = 7,
    end: date | None = None,
    scale: int = 1,
    source: str = "demo",
) -> list[FileResult]:
    """Generate the demo files, then load each one.

    Each provider is its own source (`demo-aws`, `demo-azure`, ...): the loader replaces, per
    source and billing period, everything that source delivered, so under one source the four
    files of a month would replace each other. Files already loaded (same bytes) are skipped.
    """
    files = list(_generate(out_dir, months, seed, end, scale))
    # Every load rebuilds gold for the whole billing period, so within a month the smaller files
    # go first: the big one then pays for one rebuild instead of three.
    files.sort(key=lambda f: (f[1].name.rsplit("-", 2)[-2:], f[1].stat().st_size))
    return [load_file(engine, path, source=f"{source}-{p.key}") for p, path in files]
