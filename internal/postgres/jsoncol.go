package postgres

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// jsonCol stores a Go value in a jsonb column.
type jsonCol[T any] struct{ V T }

func (j jsonCol[T]) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (j *jsonCol[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		var zero T
		j.V = zero
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("jsonb: cannot scan %T", src)
	}
	return json.Unmarshal(b, &j.V)
}
