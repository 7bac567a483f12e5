"""Azure cost exports: EA and MCA cost details (actual or amortized), legacy usage details.

Schemas read. Cost Management exports of EA and MCA scopes in PascalCase (`CostInBillingCurrency`
or `Cost`, `Date`, `BillingPeriodStartDate`) or camelCase (`costInBillingCurrency`, `date`); the
legacy pay-as-you-go usage details (`PreTaxCost`, `UsageDateTime`, `SubscriptionGuid`,
`InstanceId`), also with localized bilingual headers such as `Abonnement-GUID
(SubscriptionGuid)`, where the English name in parentheses is the one used; and lower-case column
subsets such as `costinbillingcurrency`. Column names are matched ignoring case and separators.

Datasets. An actual and an amortized export of one scope are two views of one bill, loaded side by
side (see silver). A file is "amortized" or "actual" by the first rule that decides:
1. its first rows (the first MiB of a CSV, 5,000 rows of Parquet): UnusedReservation and
   UnusedSavingsPlan charges, or usage covered by a reservation or savings plan with a non-zero
   cost, exist only in amortized data; a reservation or savings plan purchase with a non-zero cost
   only in actual data (both kinds of evidence at once decide nothing);
2. its name: Cost Management names exports `...ActualCost...` or `...AmortizedCost...`;
3. otherwise "actual", the invoice view.
In both datasets BilledCost and EffectiveCost are the file's cost column. Silver then counts
amortized rows as 0 billed and, once an amortized file covers the same source and billing period,
actual rows as 0 effective, so neither view is summed twice.

Other money. ListCost is paygCostInBillingCurrency, else PayGPrice x Quantity; ContractedCost is
UnitPrice x Quantity (exact decimals); NULL when the columns are absent (the legacy schema has
neither). EA writes a list price of 0 where it has none (reservation usage and purchases): beside a
non-zero cost that 0 is not a price, so ListCost and ListUnitPrice are NULL there, never 0.

Charges. ChargeType Usage -> Usage; Purchase -> Purchase; Refund -> Credit; Tax -> Tax;
RoundingAdjustment -> Adjustment; UnusedReservation/UnusedSavingsPlan -> Usage with
CommitmentDiscountStatus "Unused" (and nothing consumed); commitment-covered usage is "Used". No
ChargeType (legacy usage details, which hold usage only) -> Usage; an unknown one is kept as
written rather than guessed.

Periods. BillingPeriodStart is BillingPeriodStartDate, else (legacy files, or an empty cell) the
first of the UTC month of the charge date. BillingPeriodEnd is the day after BillingPeriodEndDate
(Azure writes the last day, FOCUS wants the exclusive end), else the first of the next month. A
charge covers its day: ChargePeriodEnd is the next midnight.

Tags. Azure writes a JSON object, often without its braces (`"env": "prod","team": "web"`); both
become one JSON object string with keys as written (Azure has no provider prefixes to strip); an
empty cell or `{}` is NULL. A cell that is not a JSON object fails the load at its row, column
Tags (Postgres parses it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Context, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from focus.columns import BY_SQL
from ingestion.errors import BadInput
from ingestion.formats.values import NULL_TOKENS, BadValue, convert

FORMAT = "Azure cost details"
PROVIDER = "Microsoft"

# Native columns by key (lower case, letters and digits only); the first present wins.
_COPIED: dict[str, tuple[str, ...]] = {
    "BillingCurrency": ("billingcurrencycode", "billingcurrency", "currency"),
    "PricingCurrency": ("pricingcurrency",),
    "BillingAccountId": ("billingaccountid", "enrollmentnumber", "billingprofileid"),
    "BillingAccountName": ("billingaccountname", "billingprofilename"),
    "SubAccountId": ("subscriptionid", "subscriptionguid"),
    "SubAccountName": ("subscriptionname",),
    "AvailabilityZone": ("availabilityzone",),
    "ResourceId": ("resourceid", "instanceid", "instancename"),
    "ResourceType": ("resourcetype",),
    "ChargeDescription": ("productname", "product", "metername"),
    "SkuId": ("productid", "partnumber", "meterid"),
    "SkuMeter": ("metername",),
    "PricingQuantity": ("quantity", "usagequantity"),
    "PricingUnit": ("unitofmeasure",),
    "ContractedUnitPrice": ("unitprice",),
    "ListUnitPrice": ("paygprice",),
    "PublisherName": ("publishername",),
    "InvoiceId": ("invoiceid",),
}
# Columns read for derived values, by role; "cost" and "date" are required.
_DERIVED = {
    "cost": ("costinbillingcurrency", "cost", "pretaxcost"),
    "date": ("date", "usagedatetime", "usagedate"),
    "period_start": ("billingperiodstartdate",),
    "period_end": ("billingperiodenddate",),
    "charge_type": ("chargetype",),
    "pricing_model": ("pricingmodel",),
    "frequency": ("frequency",),
    "service_name": ("servicename",),
    "meter_category": ("metercategory",),
    "consumed_service": ("consumedservice",),
    "location": ("resourcelocation",),
    "resource_name": ("resourcename",),
    "tags": ("tags",),
    "payg_cost": ("paygcostinbillingcurrency",),
    "benefit_id": ("benefitid", "reservationid"),
    "benefit_name": ("benefitname", "reservationname"),
}
# Columns only Azure exports have; two of them make a header Azure's.
_AZURE_ONLY = frozenset(
    {
        "metercategory",
        "metersubcategory",
        "meterid",
        "metername",
        "meterregion",
        "consumedservice",
        "subscriptionguid",
        "subscriptionid",
        "resourcelocation",
    }
)
_FOCUS_ONLY = frozenset({"billedcost", "chargeperiodstart", "billingperiodstart"})
# Where each derived FOCUS column comes from, for error messages: roles of _DERIVED or copied
# FOCUS columns, the first present wins.
_SOURCES = {
    "BilledCost": ("cost",),
    "EffectiveCost": ("cost",),
    "ChargePeriodStart": ("date",),
    "ChargePeriodEnd": ("date",),
    "BillingPeriodStart": ("period_start", "date"),
    "BillingPeriodEnd": ("period_end", "period_start", "date"),
    "ChargeCategory": ("charge_type",),
    "CommitmentDiscountStatus": ("charge_type",),
    "CommitmentDiscountId": ("benefit_id",),
    "CommitmentDiscountName": ("benefit_name",),
    "CommitmentDiscountType": ("pricing_model",),
    "CommitmentDiscountCategory": ("pricing_model",),
    "PricingCategory": ("pricing_model",),
    "ChargeFrequency": ("frequency",),
    "ListCost": ("payg_cost", "ListUnitPrice"),
    "ContractedCost": ("ContractedUnitPrice",),
    "ConsumedQuantity": ("PricingQuantity",),
    "ConsumedUnit": ("PricingUnit",),
    "ServiceName": ("service_name", "meter_category", "consumed_service"),
    "ServiceCategory": ("meter_category", "service_name", "consumed_service"),
    "RegionId": ("location",),
    "RegionName": ("location",),
    "ResourceName": ("resource_name", "ResourceId"),
    "Tags": ("tags",),
}

_CHARGE_CATEGORY = {
    "usage": "Usage",
    "unusedreservation": "Usage",
    "unusedsavingsplan": "Usage",
    "purchase": "Purchase",
    "refund": "Credit",
    "credit": "Credit",
    "tax": "Tax",
    "roundingadjustment": "Adjustment",
    "adjustment": "Adjustment",
}
_UNUSED = pa.array(["unusedreservation", "unusedsavingsplan"])
_COMMITMENT = pa.array(["reservation", "savingsplan"])
_PRICING_CATEGORY = {
    "ondemand": "Standard",
    "spot": "Dynamic",
    "reservation": "Committed",
    "savingsplan": "Committed",
}
_COMMITMENT_TYPE = {"reservation": "Reservation", "savingsplan": "Savings Plan"}
_COMMITMENT_CATEGORY = {"reservation": "Usage", "savingsplan": "Spend"}
_FREQUENCY = {"usagebased": "Usage-Based", "recurring": "Recurring", "onetime": "One-Time"}

# MeterCategory -> FOCUS ServiceCategory for the services Azure bills most; others are "Other".
_METER_CATEGORIES = {
    "AI and Machine Learning": (
        "Cognitive Services",
        "Azure OpenAI",
        "Azure Machine Learning",
        "Machine Learning Studio",
        "Azure Cognitive Search",
        "Azure AI Search",
        "Azure Bot Service",
    ),
    "Analytics": (
        "Azure Synapse Analytics",
        "Azure Data Factory",
        "Azure Data Factory v2",
        "HDInsight",
        "Azure Databricks",
        "Azure Data Explorer",
        "Stream Analytics",
        "Power BI Embedded",
        "Microsoft Fabric",
        "Azure Analysis Services",
        "Microsoft Purview",
    ),
    "Compute": (
        "Virtual Machines",
        "Virtual Machines Licenses",
        "Cloud Services",
        "Container Instances",
        "Azure Container Apps",
        "Container Registry",
        "Azure Kubernetes Service",
        "Functions",
        "Batch",
        "Azure VMware Solution",
        "Azure Dedicated Host",
        "Specialized Compute",
    ),
    "Databases": (
        "SQL Database",
        "SQL Managed Instance",
        "SQL Server",
        "Azure Database for MySQL",
        "Azure Database for PostgreSQL",
        "Azure Database for MariaDB",
        "Azure Cosmos DB",
        "Redis Cache",
        "Azure Cache for Redis",
    ),
    "Developer Tools": (
        "Azure DevOps",
        "Visual Studio",
        "Azure Lab Services",
        "Azure DevTest Labs",
        "Azure Load Testing",
    ),
    "Identity": (
        "Azure Active Directory",
        "Azure Active Directory B2C",
        "Azure Active Directory Domain Services",
        "Microsoft Entra ID",
        "Microsoft Entra Domain Services",
    ),
    "Integration": (
        "Event Hubs",
        "Service Bus",
        "Logic Apps",
        "API Management",
        "Event Grid",
        "Azure Relay",
    ),
    "Internet of Things": ("IoT Hub", "IoT Central", "Azure Digital Twins", "Time Series Insights"),
    "Management and Governance": (
        "Log Analytics",
        "Azure Monitor",
        "Insight and Analytics",
        "Automation",
        "Azure Site Recovery",
        "Azure Policy",
        "Azure Grafana Service",
    ),
    "Media": ("Media Services",),
    "Migration": ("Azure Migrate", "Azure Database Migration Service"),
    "Mobile": ("Notification Hubs",),
    "Multicloud": ("Azure Arc",),
    "Networking": (
        "Virtual Network",
        "Bandwidth",
        "Load Balancer",
        "Application Gateway",
        "VPN Gateway",
        "ExpressRoute",
        "Azure DNS",
        "Network Watcher",
        "Azure Front Door Service",
        "Content Delivery Network",
        "Traffic Manager",
        "Azure Bastion",
        "Virtual WAN",
        "NAT Gateway",
        "Azure Private Link",
        "IP Addresses",
    ),
    "Security": (
        "Advanced Threat Protection",
        "Advanced Data Security",
        "Security Center",
        "Microsoft Defender for Cloud",
        "Key Vault",
        "Azure Firewall",
        "Azure DDOS Protection",
        "Sentinel",
        "Microsoft Sentinel",
    ),
    "Storage": (
        "Storage",
        "Backup",
        "Azure NetApp Files",
        "Data Box",
        "Azure Data Lake Storage",
        "Azure Managed Lustre",
    ),
    "Web": ("Azure App Service", "App Service", "Azure Spring Apps", "SignalR", "Azure Maps"),
}
# ConsumedService resource provider -> ServiceCategory, for rows whose meter category is unknown.
_PROVIDER_CATEGORIES = {
    "microsoft.compute": "Compute",
    "microsoft.containerservice": "Compute",
    "microsoft.containerinstance": "Compute",
    "microsoft.storage": "Storage",
    "microsoft.network": "Networking",
    "microsoft.cdn": "Networking",
    "microsoft.sql": "Databases",
    "microsoft.dbformysql": "Databases",
    "microsoft.dbforpostgresql": "Databases",
    "microsoft.documentdb": "Databases",
    "microsoft.cache": "Databases",
    "microsoft.web": "Web",
    "microsoft.operationalinsights": "Management and Governance",
    "microsoft.insights": "Management and Governance",
    "microsoft.keyvault": "Security",
    "microsoft.security": "Security",
    "microsoft.cognitiveservices": "AI and Machine Learning",
    "microsoft.machinelearningservices": "AI and Machine Learning",
    "microsoft.datafactory": "Analytics",
    "microsoft.synapse": "Analytics",
    "microsoft.databricks": "Analytics",
    "microsoft.eventhub": "Integration",
    "microsoft.servicebus": "Integration",
    "microsoft.logic": "Integration",
}

# Region ids as ARM spells them (`eastus2`), from any Azure spelling: `EastUS2`, `East US 2`,
# and the older billing names (`US East 2`, `EU West`) that need this table.
_BILLING_REGION_IDS = {
    "useast": "eastus",
    "useast2": "eastus2",
    "uswest": "westus",
    "uswest2": "westus2",
    "uswest3": "westus3",
    "uscentral": "centralus",
    "usnorthcentral": "northcentralus",
    "ussouthcentral": "southcentralus",
    "uswestcentral": "westcentralus",
    "euwest": "westeurope",
    "eunorth": "northeurope",
    "cacentral": "canadacentral",
    "caeast": "canadaeast",
    "apeast": "eastasia",
    "apsoutheast": "southeastasia",
    "jaeast": "japaneast",
    "jawest": "japanwest",
    "aueast": "australiaeast",
    "ausoutheast": "australiasoutheast",
    "aucentral": "australiacentral",
    "brsouth": "brazilsouth",
    "incentral": "centralindia",
    "insouth": "southindia",
    "inwest": "westindia",
    "krcentral": "koreacentral",
    "krsouth": "koreasouth",
    "frcentral": "francecentral",
    "dewestcentral": "germanywestcentral",
    "chnorth": "switzerlandnorth",
    "noeast": "norwayeast",
    "zanorth": "southafricanorth",
    "aenorth": "uaenorth",
    "secentral": "swedencentral",
}
_NO_REGION = pa.array(["", "unassigned"])
_REGION_NAMES = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
    "centralus": "Central US",
    "northcentralus": "North Central US",
    "southcentralus": "South Central US",
    "westcentralus": "West Central US",
    "westeurope": "West Europe",
    "northeurope": "North Europe",
    "uksouth": "UK South",
    "ukwest": "UK West",
    "canadacentral": "Canada Central",
    "canadaeast": "Canada East",
    "eastasia": "East Asia",
    "southeastasia": "Southeast Asia",
    "japaneast": "Japan East",
    "japanwest": "Japan West",
    "australiaeast": "Australia East",
    "australiasoutheast": "Australia Southeast",
    "australiacentral": "Australia Central",
    "brazilsouth": "Brazil South",
    "centralindia": "Central India",
    "southindia": "South India",
    "westindia": "West India",
    "koreacentral": "Korea Central",
    "koreasouth": "Korea South",
    "francecentral": "France Central",
    "germanywestcentral": "Germany West Central",
    "switzerlandnorth": "Switzerland North",
    "norwayeast": "Norway East",
    "southafricanorth": "South Africa North",
    "uaenorth": "UAE North",
    "swedencentral": "Sweden Central",
}

_PEEK_ROWS = 5000  # Parquet rows, or CSV bytes below, looked at to decide the dataset
_PEEK_BYTES = 1 << 20
_NONZERO = r"^[-+]?0*\.?0*[1-9]"  # a number whose digits are not all zero
_ZERO = r"^[-+]?(0+\.?0*|\.0+)([eE][-+]?\d+)?$"
_TIMESTAMP = pa.timestamp("us", "UTC")
_DAY = timedelta(days=1)
# Exact products as decimal256 with 24 decimals; wider values take the Python path.
_FACTOR = pa.decimal256(38, 24)
_WIDE = Context(prec=200)


def _native_key(raw: str) -> str:
    """`CostInBillingCurrency`, `costinbillingcurrency`, `Kosten (Cost)` all give the same key."""
    english = re.search(r"\(([^()]+)\)\s*$", raw)
    return re.sub(r"[^a-z0-9]", "", (english.group(1) if english else raw).lower())


class AzureCost:
    name = FORMAT

    def matches(self, header: Sequence[str]) -> bool:
        keys = {_native_key(h) for h in header}
        return len(keys & _AZURE_ONLY) >= 2 and not keys & _FOCUS_ONLY

    def bind(self, header: Sequence[str], path: Path) -> BoundAzure:
        found: dict[str, str] = {}
        for raw in header:
            found.setdefault(_native_key(raw), raw)
        legacy = "pretaxcost" in found or "subscriptionguid" in found
        schema = "Azure legacy usage details" if legacy else FORMAT
        derived = {
            role: raw for role, keys in _DERIVED.items() if (raw := _first(found, keys)) is not None
        }
        for role in ("cost", "date"):
            if role not in derived:
                column, what = _missing(legacy, role)
                raise BadInput(
                    path.name,
                    f"required Azure column is missing: the file has no {what} column",
                    column=column,
                    fmt=schema,
                )
        copied = {
            focus: raw
            for focus, keys in _COPIED.items()
            if (raw := _first(found, keys)) is not None
        }
        dataset = _dataset(path, derived)
        used = {*copied.values(), *derived.values()}
        return BoundAzure(
            name=f"{schema} ({dataset})",
            dataset=dataset,
            copied=copied,
            derived=derived,
            ignored=[h for h in header if h not in used],
        )


@dataclass
class BoundAzure:
    name: str
    dataset: str  # "actual" or "amortized"
    copied: dict[str, str]  # FOCUS name -> raw column copied as it is
    derived: dict[str, str]  # role (see _DERIVED) -> raw column read for a derived value
    ignored: list[str] = field(default_factory=list)
    empty_ok: bool = True  # a scope with no usage that day exports a header-only file

    @property
    def read_columns(self) -> list[str]:
        return list(dict.fromkeys([*self.copied.values(), *self.derived.values()]))

    def to_focus(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        n = batch.num_rows
        out = {focus: batch.column(raw) for focus, raw in self.copied.items()}
        out["BilledCost"] = out["EffectiveCost"] = self._column(batch, "cost")
        date = self._column(batch, "date")
        out["ChargePeriodStart"] = date
        charged = _timestamps(date)
        out["ChargePeriodEnd"] = pc.add(pc.floor_temporal(charged, unit="day"), _DAY)
        start = self._billing_period_start(batch, charged)
        out["BillingPeriodStart"] = start
        out["BillingPeriodEnd"] = self._billing_period_end(batch, start)
        charge_type = self._text(batch, "charge_type")
        model = self._text(batch, "pricing_model")
        out["ChargeCategory"] = _charge_category(charge_type, n)
        out |= _commitment(charge_type, model, self._column(batch, "benefit_id"))
        if "benefit_name" in self.derived:
            out["CommitmentDiscountName"] = self._column(batch, "benefit_name")
        if model is not None:
            out["PricingCategory"] = _lookup(model, _PRICING_CATEGORIES, "Other")
        out["ChargeFrequency"] = _charge_frequency(self._text(batch, "frequency"), n)
        out |= _consumed(out, n)
        out |= self._money(batch, out)
        out |= self._service(batch, n)
        out |= self._region(batch)
        out |= self._resource_name(batch, out.get("ResourceId"))
        if "tags" in self.derived:
            out["Tags"] = _tags(self._text(batch, "tags"))
        out["ProviderName"] = pa.repeat(pa.scalar(PROVIDER), n)
        out["SubAccountType"] = pa.repeat(pa.scalar("Subscription"), n)
        return {focus: values for focus, values in out.items() if values is not None}

    def source_column(self, focus_name: str) -> str:
        if focus_name in self.copied:
            return self.copied[focus_name]
        for name in _SOURCES.get(focus_name, ()):
            if raw := self.derived.get(name) or self.copied.get(name):
                return raw
        return focus_name

    def _column(self, batch: pa.RecordBatch, role: str) -> pa.Array | None:
        raw = self.derived.get(role)
        return batch.column(raw) if raw else None

    def _text(self, batch: pa.RecordBatch, role: str) -> pa.Array | None:
        values = self._column(batch, role)
        return None if values is None else _text(values)

    def _billing_period_start(self, batch: pa.RecordBatch, charged: pa.Array) -> pa.Array:
        """BillingPeriodStartDate; where absent or empty, the first of the charge's UTC month.

        An unreadable BillingPeriodStartDate is handed on as it is, so the shared reader reports
        it at its row under its own name.
        """
        month = pc.floor_temporal(charged, unit="month")
        raw = self._column(batch, "period_start")
        if raw is None:
            return month
        try:
            stated, _ = convert(raw, BY_SQL["billing_period_start"])
        except BadValue:
            return raw
        return pc.coalesce(stated, month)

    def _billing_period_end(self, batch: pa.RecordBatch, start: pa.Array) -> pa.Array:
        """The day after BillingPeriodEndDate (Azure's last day, inclusive), else the next month."""
        if not pa.types.is_timestamp(start.type):  # unreadable start: the reader reports it
            return pa.nulls(len(start), _TIMESTAMP)
        next_month = pc.ceil_temporal(start, unit="month", ceil_is_strictly_greater=True)
        raw = self._column(batch, "period_end")
        if raw is None:
            return next_month
        last_day = pc.floor_temporal(_timestamps(raw), unit="day")
        return pc.coalesce(pc.add(last_day, _DAY), next_month)

    def _money(self, batch: pa.RecordBatch, out: dict[str, pa.Array]) -> dict[str, pa.Array]:
        """ListCost and ContractedCost; a list price of 0 beside a real cost is Azure's way of
        saying it has none (EA reservation rows), so both list columns are NULL there, not 0."""
        quantity = out.get("PricingQuantity")
        payg = self._column(batch, "payg_cost")
        money = {
            "ListUnitPrice": out.get("ListUnitPrice"),
            "ListCost": payg if payg is not None else _product(out.get("ListUnitPrice"), quantity),
            "ContractedCost": _product(out.get("ContractedUnitPrice"), quantity),
        }
        listed = payg if payg is not None else money["ListUnitPrice"]
        if listed is not None:
            unknown = pc.and_(_matches(listed, _ZERO), _matches(out["BilledCost"], _NONZERO))
            for focus in ("ListUnitPrice", "ListCost"):
                if money[focus] is not None:
                    money[focus] = pc.if_else(unknown, None, money[focus])
        return money

    def _service(self, batch: pa.RecordBatch, n: int) -> dict[str, pa.Array]:
        """ServiceName is ServiceName, else MeterCategory, else ConsumedService, row by row."""
        named = self._text(batch, "service_name")
        meter = self._text(batch, "meter_category")
        consumed = self._text(batch, "consumed_service")
        present = [_blank_to_null(v) for v in (named, meter, consumed) if v is not None]
        service = pc.coalesce(*present) if present else pa.nulls(n, pa.string())
        categories = [_lookup(meter if meter is not None else service, _SERVICE_CATEGORIES)]
        if consumed is not None:
            categories.append(_lookup(consumed, _PROVIDERS))
        category = pc.coalesce(*categories, pa.scalar("Other"))
        return {"ServiceName": service, "ServiceCategory": category}

    def _region(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        location = self._text(batch, "location")
        if location is None:
            return {}
        key = _key(location)
        region = pc.coalesce(_BILLING_REGIONS.get(key), key)
        region = pc.if_else(pc.is_in(region, _NO_REGION), None, region)
        name = pc.coalesce(_REGION_NAMES_BY_ID.get(region), _blank_to_null(location))
        return {"RegionId": region, "RegionName": pc.if_else(pc.is_null(region), None, name)}

    def _resource_name(
        self, batch: pa.RecordBatch, resource_id: pa.Array | None
    ) -> dict[str, pa.Array]:
        """ResourceName, else the last segment of the resource id (`.../virtualMachines/vm1`)."""
        named = self._text(batch, "resource_name")
        derived = None
        if resource_id is not None:
            parts = pc.extract_regex(_text(resource_id), r"/(?P<name>[^/]+)$")
            derived = pc.struct_field(parts, "name")
        present = [_blank_to_null(v) for v in (named, derived) if v is not None]
        return {"ResourceName": pc.coalesce(*present)} if present else {}


@dataclass(frozen=True)
class _Table:
    """A value mapping applied with Arrow compute: keys normalized like `_key`."""

    keys: pa.Array
    values: pa.Array

    @classmethod
    def of(cls, mapping: dict[str, str | None]) -> _Table:
        keys = [re.sub(r"[^a-z0-9]", "", k.lower()) for k in mapping]
        return cls(pa.array(keys, pa.string()), pa.array(list(mapping.values()), pa.string()))

    def get(self, keys: pa.Array) -> pa.Array:
        """The mapped value of each (already normalized) key; NULL where the key is unknown."""
        return pc.take(self.values, pc.index_in(keys, self.keys))


_CHARGE_CATEGORIES = _Table.of(_CHARGE_CATEGORY)
_PRICING_CATEGORIES = _Table.of(_PRICING_CATEGORY)
_COMMITMENT_TYPES = _Table.of(_COMMITMENT_TYPE)
_COMMITMENT_CATEGORIES = _Table.of(_COMMITMENT_CATEGORY)
_FREQUENCIES = _Table.of(_FREQUENCY)
_SERVICE_CATEGORIES = _Table.of(
    {meter: category for category, meters in _METER_CATEGORIES.items() for meter in meters}
)
_PROVIDERS = _Table.of(_PROVIDER_CATEGORIES)
_BILLING_REGIONS = _Table.of(_BILLING_REGION_IDS)
_REGION_NAMES_BY_ID = _Table.of(_REGION_NAMES)


def _missing(legacy: bool, role: str) -> tuple[str, str]:
    """The column to name (as this schema spells it) and what it is, for a missing column."""
    if role == "cost":
        return ("PreTaxCost" if legacy else "CostInBillingCurrency"), (
            "cost (CostInBillingCurrency, Cost or PreTaxCost)"
        )
    return ("UsageDateTime" if legacy else "Date"), "charge date (Date or UsageDateTime)"


def _first(found: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((found[k] for k in keys if k in found), None)


def _text(values: pa.Array) -> pa.Array:
    """Parquet exports may carry typed columns; the rules here read text."""
    return values if pa.types.is_string(values.type) else values.cast(pa.string())


def _blank_to_null(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), None, trimmed)


def _matches(values: pa.Array, pattern: str) -> pa.Array:
    """Whether each value's text matches; NULL counts as no."""
    return pc.fill_null(pc.match_substring_regex(_text(values), pattern), False)


def _key(values: pa.Array) -> pa.Array:
    """`UnusedReservation`, ` unused reservation ` -> `unusedreservation`."""
    return pc.replace_substring_regex(pc.utf8_lower(values), r"[^a-z0-9]", "")


def _lookup(values: pa.Array, table: _Table, default: str | None = None) -> pa.Array:
    """Map values through `table`: empty -> NULL, unknown -> `default` (NULL if None)."""
    keys = _key(values)
    mapped = table.get(keys)
    if default is None:
        return mapped
    return pc.if_else(pc.equal(keys, ""), None, pc.coalesce(mapped, pa.scalar(default)))


def _timestamps(values: pa.Array) -> pa.Array:
    """Values as UTC timestamps; NULL throughout if unreadable (the reader reports those)."""
    try:
        parsed, _ = convert(values, BY_SQL["charge_period_end"])
    except BadValue:
        return pa.nulls(len(values), _TIMESTAMP)
    return parsed


def _charge_category(charge_type: pa.Array | None, n: int) -> pa.Array:
    """Azure ChargeType in FOCUS terms; no ChargeType (legacy usage details) means usage.

    An unknown charge type is kept as written, so it shows rather than being guessed.
    """
    if charge_type is None:
        return pa.repeat(pa.scalar("Usage"), n)
    mapped = _lookup(charge_type, _CHARGE_CATEGORIES)
    written = _blank_to_null(charge_type)
    return pc.coalesce(mapped, written, pa.scalar("Usage"))


def _commitment(
    charge_type: pa.Array | None, model: pa.Array | None, benefit: pa.Array | None
) -> dict[str, pa.Array]:
    """Reservation and savings plan columns: which commitment, its kind, used or unused."""
    out: dict[str, pa.Array] = {}
    if benefit is not None:
        out["CommitmentDiscountId"] = _blank_to_null(_text(benefit))
    if model is not None:
        out["CommitmentDiscountType"] = _lookup(model, _COMMITMENT_TYPES)
        out["CommitmentDiscountCategory"] = _lookup(model, _COMMITMENT_CATEGORIES)
    if charge_type is not None:
        kind = _key(charge_type)
        status = pc.if_else(pc.is_in(kind, _UNUSED), "Unused", None)
        if model is not None:
            used = pc.and_(pc.equal(kind, "usage"), pc.is_in(_key(model), _COMMITMENT))
            status = pc.if_else(pc.fill_null(used, False), "Used", status)
        out["CommitmentDiscountStatus"] = status
    return out


def _charge_frequency(frequency: pa.Array | None, n: int) -> pa.Array:
    if frequency is None:  # legacy usage details hold usage only
        return pa.repeat(pa.scalar("Usage-Based"), n)
    return pc.coalesce(_lookup(frequency, _FREQUENCIES), _blank_to_null(frequency))


def _consumed(out: dict[str, pa.Array], n: int) -> dict[str, pa.Array]:
    """Usage rows consume what they price; unused commitments, purchases, refunds and taxes
    consume nothing."""
    consuming = pc.equal(out["ChargeCategory"], "Usage")
    if (status := out.get("CommitmentDiscountStatus")) is not None:
        consuming = pc.and_(consuming, pc.invert(pc.fill_null(pc.equal(status, "Unused"), False)))
    consuming = pc.fill_null(consuming, False)
    consumed = {}
    for priced, name in (("PricingQuantity", "ConsumedQuantity"), ("PricingUnit", "ConsumedUnit")):
        if (values := out.get(priced)) is not None:
            consumed[name] = pc.if_else(consuming, values, pa.nulls(n, values.type))
    return consumed


def _product(price: pa.Array | None, quantity: pa.Array | None) -> pa.Array | None:
    """price x quantity as exact decimal text; NULL where either is missing.

    Unreadable values give NULL here; the shared reader reports them under their own columns.
    """
    if price is None or quantity is None:
        return None
    number = BY_SQL["contracted_unit_price"]
    try:
        price, _ = convert(price, number)
        quantity, _ = convert(quantity, number)
    except BadValue:
        return pa.nulls(len(price), pa.string())
    try:
        product = pc.multiply(price.cast(_FACTOR), quantity.cast(_FACTOR)).cast(pa.string())
    except pa.ArrowInvalid:  # more decimals than the fast path holds
        return pa.array(
            [
                None if p is None or q is None else format(_WIDE.multiply(Decimal(p), Decimal(q)))
                for p, q in zip(price.to_pylist(), quantity.to_pylist(), strict=True)
            ],
            pa.string(),
        )
    return pc.replace_substring_regex(product, r"(\.\d*?[1-9])0+$|\.0+$", r"\1")


def _tags(values: pa.Array) -> pa.Array:
    """One JSON object string per row: the cell, in braces if Azure left them out.

    Postgres parses it into jsonb, so a cell that is not JSON fails the load at its row and
    column, and no cell is parsed twice.
    """
    body = _blank_to_null(values)
    braced = pc.if_else(
        pc.starts_with(body, "{"), body, pc.binary_join_element_wise("{", body, "}", "")
    )
    return pc.if_else(pc.match_substring_regex(braced, r"^\{\s*\}$"), None, braced)


def _dataset(path: Path, derived: dict[str, str]) -> str:
    """ "actual" or "amortized": from the rows where they tell, else the file name, else actual."""
    evidence = _row_evidence(path, derived)
    if evidence is not None:
        return evidence
    name = path.name.lower()
    if "amortized" in name or "amortised" in name:
        return "amortized"
    return "actual"


def _row_evidence(path: Path, derived: dict[str, str]) -> str | None:
    """What the first rows prove: unused commitments and commitment-covered usage with a cost
    exist only in amortized data; commitment purchases with a cost only in actual data."""
    if "charge_type" not in derived or "pricing_model" not in derived:
        return None
    columns = [derived["cost"], derived["charge_type"], derived["pricing_model"]]
    rows = _peek(path, columns)
    if rows is None:
        return None
    costly = _matches(rows.column(0), _NONZERO)
    kind = pc.fill_null(_key(_text(rows.column(1))), "")
    committed = pc.fill_null(pc.is_in(_key(_text(rows.column(2))), _COMMITMENT), False)
    amortized = pc.or_(
        pc.is_in(kind, _UNUSED),
        pc.and_(pc.and_(pc.equal(kind, "usage"), committed), costly),
    )
    actual = pc.and_(pc.and_(pc.equal(kind, "purchase"), committed), costly)
    seen_amortized, seen_actual = pc.any(amortized).as_py(), pc.any(actual).as_py()
    if seen_amortized == seen_actual:
        return None
    return "amortized" if seen_amortized else "actual"


def _peek(path: Path, columns: list[str]) -> pa.Table | None:
    """The first rows of a few columns, or None if they cannot be read (the reader reports why)."""
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
        if magic == b"PAR1":
            batches = pq.ParquetFile(path).iter_batches(batch_size=_PEEK_ROWS, columns=columns)
            return pa.Table.from_batches([next(batches)])
        with pa.OSFile(str(path)) as raw:
            stream = pa.CompressedInputStream(raw, "gzip") if magic[:2] == b"\x1f\x8b" else raw
            reader = pa_csv.open_csv(
                stream,
                read_options=pa_csv.ReadOptions(block_size=_PEEK_BYTES),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types={c: pa.string() for c in columns},
                    include_columns=columns,
                    null_values=NULL_TOKENS,
                    strings_can_be_null=True,
                ),
            )
            return pa.Table.from_batches([reader.read_next_batch()])
    except (pa.ArrowInvalid, OSError, EOFError, StopIteration):
        return None
