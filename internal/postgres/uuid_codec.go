package postgres

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// uuid.UUID straight to and from PostgreSQL's uuid (issue 18). pgx knows
// uuid.UUID only as a driver.Valuer and an sql.Scanner: each id sent was
// formatted as text then parsed back into 16 bytes, each id read was
// formatted as text then parsed by uuid.Scan — some 0.4 s of the API's CPU
// in make bench-reference's profile of GET /cases/{id} and the statement,
// where a case row alone carries six ids. uuidCodec writes and reads the
// 16 bytes as they are; everything else (other Go types, NULL, a uuid sent
// for a text parameter, what database/sql reads) goes as before.

// registerUUID makes m's uuid type use uuidCodec (pgxpool's AfterConnect).
func registerUUID(m *pgtype.Map) {
	m.RegisterType(&pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}})
}

// uuidCodec is pgx's UUIDCodec with direct plans for uuid.UUID.
type uuidCodec struct{ pgtype.UUIDCodec }

func (c uuidCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(uuid.UUID); ok {
		switch format {
		case pgtype.BinaryFormatCode:
			return encodeUUIDBinary{}
		case pgtype.TextFormatCode:
			return encodeUUIDText{}
		}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

func (c uuidCodec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if _, ok := target.(*uuid.UUID); ok && format == pgtype.BinaryFormatCode {
		return scanUUIDBinary{}
	}
	return c.UUIDCodec.PlanScan(m, oid, format, target)
}

type encodeUUIDBinary struct{}

func (encodeUUIDBinary) Encode(value any, buf []byte) ([]byte, error) {
	u := value.(uuid.UUID)
	return append(buf, u[:]...), nil
}

type encodeUUIDText struct{}

func (encodeUUIDText) Encode(value any, buf []byte) ([]byte, error) {
	return append(buf, value.(uuid.UUID).String()...), nil
}

type scanUUIDBinary struct{}

func (scanUUIDBinary) Scan(src []byte, dst any) error {
	if src == nil {
		return nil // NULL leaves the value as it is, as uuid.UUID's Scan does
	}
	if len(src) != 16 {
		return fmt.Errorf("uuid: %d bytes, not 16", len(src))
	}
	copy(dst.(*uuid.UUID)[:], src)
	return nil
}
