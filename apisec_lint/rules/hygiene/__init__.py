"""Rule family package; each rule module is imported here so it registers."""
