package rbac

import (
	"bufio"
	"fmt"
	"strings"
)

//go:generate go run ./cmd/roletable -readme ../../README.md

// Roles are the roles of the policy, in the order the README shows them:
// the agency's staff, then the creditor.
var Roles = []string{"admin", "agent", "lawyer", "accountant", "creditor"}

// A tableRow is one line of the README's role table: what a person does, in
// words, and the policy permissions ("resource:action") it takes. A row with
// several parts (read / write) shows one answer per part, joined by " / ".
type tableRow struct {
	label string
	parts []tablePart
}

// A tablePart is granted to a role when the policy grants it every one of
// perms; the cell then says note[role] (the data layer's scope: "all", "its
// own"), or "yes". Otherwise the cell says "no". The yes/no always comes
// from the policy; only the scope words are written here.
type tablePart struct {
	perms []string
	note  map[string]string
}

var (
	scopedRead = map[string]string{"admin": "all", "agent": "all", "lawyer": "all", "accountant": "all", "creditor": "its own creditor's only"}
	ownOnly    = map[string]string{"admin": "all", "agent": "all", "lawyer": "all", "accountant": "all", "creditor": "its own"}
)

func one(note map[string]string, perms ...string) []tablePart {
	return []tablePart{{perms: perms, note: note}}
}

// roleTable is the README's table, row by row. TestRoleTableCoversPolicy
// fails when a policy line is shown by no row, so a new permission cannot be
// left out of the README.
var roleTable = []tableRow{
	{"sign out, read own account (`/me`)", one(map[string]string{"creditor": "users yes; API keys no"}, "session:logout", "session:read")},
	{"read creditors", one(ownOnly, "creditors:read")},
	{"read cases, debtors, timelines, the live stream", one(map[string]string{"admin": "all", "agent": "all", "lawyer": "all", "accountant": "all",
		"creditor": "its own creditor's only; internal events hidden"}, "cases:read", "debtors:read")},
	{"open cases, add claims", one(map[string]string{"creditor": "yes, for itself"}, "cases:create")},
	{"import placement files (CSV, XLSX) and electronic invoices (Factur-X, UBL, CII), read their progress and refused rows", one(map[string]string{"creditor": "yes, for itself"}, "imports:create", "imports:read")},
	{"edit cases (priority, next action, assignments)", one(nil, "cases:update")},
	{"log calls, letters, promises, disputes, notes, acknowledgements", one(nil, "cases:log",
		"case_event:call", "case_event:email", "case_event:letter_sent", "case_event:formal_notice_received", "case_event:note",
		"case_event:promise", "case_event:promise_kept", "case_event:promise_broken", "case_event:dispute_opened",
		"case_event:dispute_resolved", "case_event:acknowledgement")},
	{"log messages, payments received directly by the creditor, withdrawal requests", one(nil, "cases:log",
		"case_event:message", "case_event:direct_payment_reported", "case_event:withdrawal_requested")},
	{"move to formal notice; close", one(nil, "cases:transition", "case_stage:formal_notice", "case_stage:closed")},
	{"move to injunction or irrecoverable; record court steps", one(nil, "cases:transition",
		"case_stage:injunction", "case_stage:irrecoverable", "cases:court")},
	{"work the queue (`/queue`, `/queue/next`)", one(nil, "queue:work")},
	{"read collection strategies, a case's strategy, simulate one", one(nil, "strategies:read")},
	{"create, edit, delete strategies; name a mandate's default", one(nil, "strategies:write")},
	{"move a case to another strategy; complete call tasks", one(nil, "case_strategy:write", "call_tasks:write")},
	{"read the strategy engine's passes and dry run; download a pass's letters for the post", one(nil, "strategy_runs:read")},
	{"record the registered numbers of a pass's letters (the post's list)", one(nil, "strategy_runs:write")},
	{"strategy experiments: read them and their report / start and stop them", []tablePart{
		{perms: []string{"experiments:read"}, note: map[string]string{"creditor": "its own"}}, {perms: []string{"experiments:write"}}}},
	{"the debtor's page link of a case: read / revoke, issue again", []tablePart{
		{perms: []string{"debtor_links:read"}}, {perms: []string{"debtor_links:write"}}}},
	{"read statements and payments", one(scopedRead, "cases:read")},
	{"record and reverse payments", one(nil, "payments:write")},
	{"payment plans: record, cancel, record the signature, produce the agreement / approve or refuse one outside the mandate's rules", []tablePart{
		{perms: []string{"plans:write", "documents:generate", "case_document:plan_agreement"}}, {perms: []string{"plans:decide"}, note: map[string]string{"creditor": "its own cases"}}}},
	{"read rates / add or correct rates", []tablePart{{perms: []string{"rates:read"}}, {perms: []string{"rates:write"}}}},
	{"read documents / upload evidence", []tablePart{
		{perms: []string{"cases:read"}, note: map[string]string{"admin": "all", "agent": "all", "lawyer": "all", "accountant": "all", "creditor": "its own cases' shared documents"}},
		{perms: []string{"documents:upload"}}}},
	{"produce letters and receipts / statements", []tablePart{
		{perms: []string{"documents:generate", "case_document:amicable_letter", "case_document:formal_notice", "case_document:payment_receipt"}},
		{perms: []string{"documents:generate", "case_document:statement"}}}},
	{"prepare court filings (injunction packet, insolvency declaration, irrecoverability certificate)", one(nil, "documents:generate",
		"case_document:injunction_packet", "case_document:insolvency_declaration", "case_document:irrecoverability_certificate")},
	{"document batches", one(nil, "documents:batch")},
	{"remittance statements: produce / read", []tablePart{
		{perms: []string{"creditors:write"}},
		{perms: []string{"creditors:read"}, note: ownOnly}}},
	{"import bank statements / work the unmatched queue (book, reject)", []tablePart{
		{perms: []string{"bank:import"}}, {perms: []string{"bank:read", "bank:write"}}}},
	{"client account ledger: balances held, funds held too long, lines / commission earned per month", []tablePart{
		{perms: []string{"ledger:read"}, note: map[string]string{"admin": "all", "accountant": "all", "creditor": "its own accounts only"}},
		{perms: []string{"ledger:report"}}}},
	{"remittance runs: draw up, book, mark sent, cancel, download the pain.001 file / remittances paid", []tablePart{
		{perms: []string{"remittance_runs:read", "remittance_runs:write"}},
		{perms: []string{"remittances:read"}, note: map[string]string{"admin": "all", "accountant": "all", "creditor": "its own"}}}},
	{"the agency's commission invoices and credit notes: read and download (PDF, CII XML) / correct one (credit note and replacing invoice)", []tablePart{
		{perms: []string{"invoices:read"}, note: map[string]string{"admin": "all", "accountant": "all", "creditor": "its own"}},
		{perms: []string{"invoices:write"}}}},
	{"portfolio figures", one(ownOnly, "portfolio:read")},
	{"the lawyers' docket", one(nil, "docket:read")},
	{"notifications (`/notifications`): read, mark read, daily e-mail digest on or off", one(map[string]string{
		"agent": "payments of its cases", "lawyer": "stage changes of its cases",
		"creditor": "payments, stage changes, approvals asked on its own cases; users yes, API keys no"}, "notifications:read")},
	{"choose how a creditor is told of payments (R124-5: portal, or also the daily e-mail digest)", one(map[string]string{
		"admin": "any creditor", "creditor": "its own"}, "creditor_payment_reports:write")},
	{"webhook endpoints and their deliveries: read / register, test, rotate secret, replay", []tablePart{
		{perms: []string{"webhooks:read"}, note: map[string]string{"admin": "any creditor's", "agent": "any creditor's", "creditor": "its own"}},
		{perms: []string{"webhooks:write"}, note: map[string]string{"admin": "any creditor's", "creditor": "its own"}}}},
	{"maintain debtors", one(nil, "debtors:write")},
	{"manage creditors and mandates", one(nil, "creditors:write")},
	{"manage users and API keys; read the audit log", one(nil, "users:read", "users:write", "api_keys:read", "api_keys:write", "audit:read")},
}

// RoleTable renders the README's role table (Markdown) from the policy.
func RoleTable(p *Policy) string {
	var b strings.Builder
	b.WriteString("| action | admin | agent | lawyer | accountant | creditor (user or API key) |\n|---|---|---|---|---|---|\n")
	for _, row := range roleTable {
		b.WriteString("| " + row.label)
		for _, role := range Roles {
			cells := make([]string, len(row.parts))
			for i, part := range row.parts {
				cells[i] = "no"
				if p.allowedAll(role, part.perms) {
					cells[i] = "yes"
					if n := part.note[role]; n != "" {
						cells[i] = n
					}
				}
			}
			b.WriteString(" | " + strings.Join(cells, " / "))
		}
		b.WriteString(" |\n")
	}
	return b.String()
}

func (p *Policy) allowedAll(role string, perms []string) bool {
	for _, perm := range perms {
		resource, action, _ := strings.Cut(perm, ":")
		if !p.Allowed(role, resource, action) {
			return false
		}
	}
	return true
}

// UnshownPolicyLines lists the lines of policyCSV that no row of the role
// table shows: each grants a role something the README would not mention.
// A line with the action "*" is shown when some row names that resource.
func UnshownPolicyLines(policyCSV string) []string {
	shown := map[string]bool{}
	for _, row := range roleTable {
		for _, part := range row.parts {
			for _, perm := range part.perms {
				resource, _, _ := strings.Cut(perm, ":")
				shown[perm] = true
				shown[resource+":*"] = true
			}
		}
	}
	var out []string
	sc := bufio.NewScanner(strings.NewReader(policyCSV))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) != 4 || f[0] != "p" {
			out = append(out, fmt.Sprintf("%q (not a p, role, resource, action line)", line))
			continue
		}
		if !shown[f[2]+":"+f[3]] {
			out = append(out, line)
		}
	}
	return out
}

// README markers: the role table is generated between them.
const (
	TableBegin = "<!-- role table: generated from configs/rbac_policy.csv by `go generate ./internal/rbac`; do not edit -->"
	TableEnd   = "<!-- end of role table -->"
)

// ReplaceTable returns readme with the text between the markers replaced by
// table, or an error when the markers are missing.
func ReplaceTable(readme, table string) (string, error) {
	begin := strings.Index(readme, TableBegin)
	end := strings.Index(readme, TableEnd)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("README has no role table markers (%s … %s)", TableBegin, TableEnd)
	}
	return readme[:begin+len(TableBegin)] + "\n" + table + readme[end:], nil
}
