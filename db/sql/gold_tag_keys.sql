SELECT g.tag_key, sum(g.billed_cost) FILTER (WHERE g.tag_value IS NOT NULL) AS tagged_cost
FROM gold.daily_cost_by_tag g
WHERE g.charge_date BETWEEN :start AND :end
{SCOPE}
GROUP BY 1
ORDER BY 2 DESC NULLS LAST, 1;
