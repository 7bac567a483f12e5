  -- The signed-in user's scope (db/users.py Scope.params), applied to every read of gold.
  AND (:scope_all_providers OR coalesce(g.provider, '(unknown)') = ANY(CAST(:scope_providers AS text[])))
  AND (:scope_all_accounts OR g.billing_account_id = ANY(CAST(:scope_accounts AS text[])))
  AND (:scope_all_sub_accounts OR g.sub_account_id = ANY(CAST(:scope_sub_accounts AS text[])))
