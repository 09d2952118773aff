package recouvra

// Sees reports whether a caller in scope s may see event e: staff every
// event, a creditor only the shared events of its own cases, a denied scope
// nothing. It is the rule the scoped event queries apply in SQL
// (postgres.sharedScope, and row-level security under it), for the live
// hub that reads each event once and hands it out in process.
func (s Scope) Sees(e Event) bool {
	switch {
	case s.deny:
		return false
	case s.CreditorID == nil:
		return true
	}
	return *s.CreditorID == e.CreditorID && e.Visibility == Shared
}
