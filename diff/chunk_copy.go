package diff

import "reflect"

// copyPlaced is a deep copy of a declaration read from a chunk, with every
// position in it placed in the file: a piece is shared by every file
// holding its chunk, wherever the chunk starts in it.
func copyPlaced[T any](v *T, at placement) *T {
	out := reflect.New(reflect.TypeFor[T]())
	out.Elem().Set(copyValue(reflect.ValueOf(v).Elem(), at))
	return out.Interface().(*T)
}

var posType = reflect.TypeFor[Pos]()

func copyValue(v reflect.Value, at placement) reflect.Value {
	if v.Type() == posType {
		return reflect.ValueOf(v.Interface().(Pos).placed(at))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(copyValue(v.Elem(), at))
		return p
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(copyValue(v.Field(i), at))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(copyValue(v.Index(i), at))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), copyValue(it.Value(), at))
		}
		return out
	}
	return v
}
