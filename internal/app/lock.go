package app

// RowLock says whether a read locks the row it returns until the
// transaction ends (SELECT … FOR UPDATE): a command that changes a record
// reads it with ForUpdate so that concurrent commands on it queue.
type RowLock bool

const (
	NoLock    RowLock = false
	ForUpdate RowLock = true
)

// settleMode says what bringing a case's balances in line with its
// statement may do besides closing a case that is paid in full.
type settleMode bool

const (
	// closeIfPaid: money came in or a debt changed; a case with nothing
	// left due closes as paid.
	closeIfPaid settleMode = false
	// reopenIfDue: money was taken back (a reversal); a case closed as paid
	// with something due again also reopens.
	reopenIfDue settleMode = true
)
