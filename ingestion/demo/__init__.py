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

The package, one job a module: `catalog` (the company's clouds, accounts, services, SKUs,
resources and workloads, read from the data files in `data/`), `fleet` (the resources drawn from
it), `simulation` (usage and money over the days of the window), `rows` (FOCUS rows and
columns), `files` (the gzip CSV files) and `load` (generate, then load).
"""

from ingestion.demo.files import generate, monthly_tables
from ingestion.demo.load import load_demo

__all__ = ["generate", "load_demo", "monthly_tables"]
