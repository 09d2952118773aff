package api_test

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/recouvra/recouvra/api"
)

// TestSpecHasNoYAML11BooleanNames fails when the contract holds a plain
// (unquoted) scalar that a YAML 1.1 tool (PyYAML, older Swagger tools, some
// gateways) reads as a boolean where a name is meant. Our YAML 1.2 readers
// keep `on` a string, but a 1.1 reader turns the property `on: {...}` into
// `true: {...}` and `required: [step, on]` into `[step, true]`. Quoted
// ("on"), it reads the same everywhere.
func TestSpecHasNoYAML11BooleanNames(t *testing.T) {
	bad, err := unquotedYAML11Booleans(api.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("quote these in api/openapi.yaml, YAML 1.1 tools read them as booleans:\n%s", strings.Join(bad, "\n"))
	}
}

// TestYAML11BooleanCheck proves the check sees every spelling it exists for
// and lets quoted names and real boolean values through.
func TestYAML11BooleanCheck(t *testing.T) {
	for doc, want := range map[string]int{
		"a:\n  required: [step, on]\n":                         1,
		"a:\n  properties:\n    on: { type: string }\n":        1,
		"a: { properties: { Off: {type: string} } }\n":         1,
		"a:\n  - no\n  - y\n":                                  2,
		"true: 1\n":                                            1, // a key, whatever it is
		"a:\n  enum: [YES, N]\n":                               2,
		"a:\n  required: [step, \"on\"]\n":                     0,
		"a:\n  properties:\n    'on': { type: string }\n":      0,
		"a: { nullable: true, additionalProperties: False }\n": 0,
		"a:\n  enum: [online, none, onward]\n":                 0,
	} {
		bad, err := unquotedYAML11Booleans([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) != want {
			t.Errorf("%q: want %d finding(s), got %q", doc, want, bad)
		}
	}
}

// unquotedYAML11Booleans lists, with their line, the plain scalars of a YAML
// document that YAML 1.1 reads as booleans: any such key, and any such value
// except true/false (nullable: true is meant as a boolean everywhere).
func unquotedYAML11Booleans(data []byte) ([]string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	var bad []string
	check := func(n *yaml.Node, isKey bool) {
		if n.Kind != yaml.ScalarNode || n.Style != 0 || !isYAML11Bool(n.Value) {
			return
		}
		lower := strings.ToLower(n.Value)
		if !isKey && (lower == "true" || lower == "false") {
			return
		}
		what := "value"
		if isKey {
			what = "key"
		}
		bad = append(bad, fmt.Sprintf("line %d: unquoted %s %s", n.Line, what, n.Value))
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				check(c, false)
				walk(c)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				check(n.Content[i], true)
				walk(n.Content[i])
				check(n.Content[i+1], false)
				walk(n.Content[i+1])
			}
		}
	}
	walk(&root)
	return bad, nil
}

// isYAML11Bool: y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|
// FALSE|on|On|ON|off|Off|OFF (the YAML 1.1 bool type).
func isYAML11Bool(s string) bool {
	for _, w := range []string{"y", "yes", "n", "no", "true", "false", "on", "off"} {
		if s == w || s == strings.ToUpper(w) || s == strings.ToUpper(w[:1])+w[1:] {
			return true
		}
	}
	return false
}
