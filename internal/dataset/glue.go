package dataset

import (
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// GlueColumn is one column of the Glue (Hive) table of a dataset.
type GlueColumn struct {
	Name string // the Parquet column name
	Type string // Hive type: "string", "bigint", "int", "boolean", "timestamp", "array<string>", "array<struct<...>>"
}

// GlueColumns returns the columns of the dataset's Glue table, derived from
// Schema in order, without the partition column dt. It panics on a Parquet
// type with no Hive equivalent, which the dataset tests rule out.
func (d Dataset) GlueColumns() []GlueColumn {
	var cols []GlueColumn
	for _, f := range d.Schema.Fields() {
		if f.Name() == "dt" {
			continue
		}
		cols = append(cols, GlueColumn{Name: f.Name(), Type: hiveType(f.Name(), f)})
	}
	return cols
}

// hiveType returns the Hive type of a Parquet node; name is its path, for
// the panic message.
func hiveType(name string, n parquet.Node) string {
	var lt *format.LogicalType
	if t := n.Type(); t != nil {
		lt = t.LogicalType()
	}
	if !n.Leaf() {
		if lt != nil {
			switch lt.Value.(type) {
			case *format.ListType:
				return "array<" + hiveType(name, listElement(n)) + ">"
			case *format.MapType:
				kv := n.Fields()[0].Fields()
				return "map<" + hiveType(name, kv[0]) + "," + hiveType(name, kv[1]) + ">"
			}
		}
		fields := n.Fields()
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = f.Name() + ":" + hiveType(name+"."+f.Name(), f)
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	if lt != nil {
		switch v := lt.Value.(type) {
		case *format.StringType, *format.EnumType, *format.JsonType, *format.UUIDType:
			return "string"
		case *format.TimestampType:
			return "timestamp"
		case *format.DateType:
			return "date"
		case *format.DecimalType:
			return fmt.Sprintf("decimal(%d,%d)", v.Precision, v.Scale)
		case *format.IntType:
			switch v.BitWidth {
			case 8:
				return "tinyint"
			case 16:
				return "smallint"
			case 32:
				return "int"
			default:
				return "bigint"
			}
		}
	}
	switch n.Type().Kind() {
	case parquet.Boolean:
		return "boolean"
	case parquet.Int32:
		return "int"
	case parquet.Int64:
		return "bigint"
	case parquet.Float:
		return "float"
	case parquet.Double:
		return "double"
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return "binary"
	}
	panic(fmt.Sprintf("dataset: no Hive type for Parquet column %s (%v)", name, n.Type()))
}

// listElement returns the element node of a three-level LIST group.
func listElement(n parquet.Node) parquet.Node {
	repeated := n.Fields()[0] // "list"
	if repeated.Leaf() || len(repeated.Fields()) != 1 {
		return repeated // legacy two-level form
	}
	return repeated.Fields()[0] // "element"
}
