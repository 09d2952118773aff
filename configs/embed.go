// Package configs holds the data Recouvra loads at start: the role policy
// (casbin model and policy) and, later, legal rate tables. They are embedded
// so the binary carries them, and kept as files so they read as data.
package configs

import _ "embed"

// RBACModel is the casbin model of role-based access.
//
//go:embed rbac_model.conf
var RBACModel string

// RBACPolicy lists what each role may do.
//
//go:embed rbac_policy.csv
var RBACPolicy string

// RatesCSV holds the shipped legal rate tables, loaded at start when a row
// is missing from the database.
//
//go:embed rates.csv
var RatesCSV []byte

// L1118 is the text of paragraphs 2 and 3 of article L111-8 of the Code des
// procédures civiles d'exécution, in the version in force since 19 March
// 2014 (law 2014-344), word for word from the official code (Légifrance,
// Licence Ouverte). CPCE R124-4 requires every letter of a collection
// agency to the debtor to reproduce it.
//
//go:embed legal/L111-8.txt
var L1118 string

// CourtFormsCSV lists the official forms (Cerfa numbers and versions) an
// injunction-to-pay request follows before each kind of court, with the
// date each version applies from and its source.
//
//go:embed legal/court-forms.csv
var CourtFormsCSV []byte

// ActionCostsCSV holds the unit costs of the strategies' actions (letter,
// registered letter, e-mail, call) with the date each applies from and its
// source, read by the strategy experiments' report.
//
//go:embed action-costs.csv
var ActionCostsCSV []byte
