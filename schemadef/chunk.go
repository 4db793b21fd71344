package schemadef

import (
	"bytes"
	"iter"
	"slices"
)

// A Chunk is a top-level block of a schema file with the comments and
// blank lines after it; the first chunk also holds what comes before the
// first block. A block starts at a line whose first character starts an
// identifier: HCL bodies are written so, and a chunk cut anywhere else
// (inside a heredoc, a comment, a block) does not parse on its own. The
// planner's block-by-block evaluation (diff/chunk.go) and the database
// default's lookup (DeclaredDefault) cut files so.
type Chunk struct {
	Line, Start int // where the chunk starts in the file: line, byte
	Data        []byte
}

// Chunks cuts src into its chunks.
func Chunks(src []byte) []Chunk { return slices.Collect(chunksOf(src)) }

// chunksOf yields src's chunks, cutting no further than its caller reads.
func chunksOf(src []byte) iter.Seq[Chunk] {
	return func(yield func(Chunk) bool) {
		start, line, startLine := 0, 1, 1
		for next := 0; ; line++ {
			nl := bytes.IndexByte(src[next:], '\n')
			if nl < 0 {
				break
			}
			if next += nl + 1; next < len(src) && startsBlock(src[next]) {
				if !yield(Chunk{Line: startLine, Start: start, Data: src[start:next]}) {
					return
				}
				start, startLine = next, line+1
			}
		}
		yield(Chunk{Line: startLine, Start: start, Data: src[start:]})
	}
}

// IsSchema reports whether a chunk is the schema block.
func (c Chunk) IsSchema() bool {
	rest, ok := bytes.CutPrefix(c.Data, []byte("schema"))
	return ok && len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '"')
}

func startsBlock(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
