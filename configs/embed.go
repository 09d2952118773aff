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
