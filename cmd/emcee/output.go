package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Output formats. text (and review's markdown) is for people; json and
// yaml are documents for tools: exactly one on stdout per run, also when
// the run fails, so a tool never has to parse stderr.
const (
	formatText     = "text"
	formatJSON     = "json"
	formatYAML     = "yaml"
	formatMarkdown = "markdown"
)

// formatsAnnotation lists, on a --format flag, the formats its command
// knows.
const formatsAnnotation = "emcee_formats"

// addFormatFlag gives cmd --format (persistent: also its subcommands):
// text, json, yaml and the extra formats of the command. Every command
// takes it (usageErrors adds it where a command did not), so a tool can
// ask any command for a document; formatOf reads it.
func addFormatFlag(cmd *cobra.Command, persistent bool, extra ...string) {
	formats := append([]string{formatText, formatJSON, formatYAML}, extra...)
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	fs.String("format", formatText, "output format: "+sqlsyntax.Series(formats, "or")+" (json and yaml: one document on stdout, also on failure)")
	_ = fs.SetAnnotation("format", formatsAnnotation, formats)
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// checkFormat refuses a format the command does not know, before the
// command does anything (it runs as the root's PersistentPreRunE).
func checkFormat(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags().Lookup("format")
	if f == nil {
		return nil
	}
	if formats := f.Annotations[formatsAnnotation]; !slices.Contains(formats, f.Value.String()) {
		return usage(cmd, fmt.Errorf("--format %q: want %s", f.Value.String(), sqlsyntax.Series(formats, "or")))
	}
	return nil
}

// formatOf is the format a command was asked for.
func formatOf(cmd *cobra.Command) string {
	if f := cmd.Flags().Lookup("format"); f != nil {
		return f.Value.String()
	}
	return formatText
}

func structured(format string) bool { return format == formatJSON || format == formatYAML }

// outcome is what one run has to say in a document: set by the command,
// printed by execute once the exit code is known.
type outcome struct{ doc any }

type outcomeKey struct{}

func outcomeOf(ctx context.Context) *outcome {
	if o, ok := ctx.Value(outcomeKey{}).(*outcome); ok {
		return o
	}
	return &outcome{} // a command run outside execute (a test calling RunE) prints nothing
}

// emit is how a command hands over its result: as a document (json, yaml)
// or, for text, by calling text with stdout. A command that fails after
// emitting keeps the document: execute adds the error to it.
func emit(cmd *cobra.Command, doc any, text func(w io.Writer)) {
	if structured(formatOf(cmd)) {
		outcomeOf(cmd.Context()).doc = doc
		return
	}
	if text != nil {
		text(displayableWriter{cmd.OutOrStdout()})
	}
}

// displayableWriter escapes control characters other than line breaks and
// tabs: text output quotes what databases hold (a history record's error,
// who applied a revision), which whoever can write those tables chose.
type displayableWriter struct{ w io.Writer }

func (d displayableWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(d.w, sqlname.DisplayableText(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// partial records what is known before a command fails (e.g. the database
// it was connecting to), unless the command has emitted its document.
func partial(ctx context.Context, doc any) {
	if o := outcomeOf(ctx); o.doc == nil {
		o.doc = doc
	}
}

// execute runs emcee with args and returns the exit code. Errors go to
// stderr as one line; under json or yaml, stdout gets exactly one document
// whatever happened: the command's result, with "error" and "exit_code"
// added when the run did not exit 0.
func execute(root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	o := &outcome{}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(context.WithValue(context.Background(), outcomeKey{}, o))
	code, msg := exitOf(err)
	// Errors quote what schema files, plans and databases hold: an escape
	// sequence there must reach the terminal as text.
	msg = sqlname.DisplayableText(msg)
	if msg != "" {
		fmt.Fprintln(stderr, "emcee:", msg)
	}
	format := formatOf(cmd)
	if f := cmd.Flags().Lookup("format"); f == nil || !f.Changed {
		// Parsing stopped before --format (an unknown flag or command):
		// the document is still owed if the format was asked for.
		format = scanFormat(args)
	}
	if structured(format) && (o.doc != nil || code != codeOK) {
		if err := writeDocument(stdout, format, o.doc, code, msg); err != nil {
			fmt.Fprintln(stderr, "emcee:", err)
			return codeError
		}
	}
	return code
}

// exitOf maps a command's error to its exit code and message.
func exitOf(err error) (int, string) {
	if err == nil {
		return codeOK, ""
	}
	if ee, ok := errors.AsType[*exitError](err); ok {
		return ee.code, ee.err.Error()
	}
	return codeError, err.Error()
}

// scanFormat finds a valid structured --format among args.
func scanFormat(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		v, ok := strings.CutPrefix(a, "--format=")
		if !ok && a == "--format" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if ok && structured(v) {
			return v
		}
	}
	return formatText
}

// writeDocument prints doc as json or yaml; a failed run's document also
// carries "error" (the message stderr shows, when there is one) and
// "exit_code". YAML is the JSON document converted, so both have the same
// field names in the same order.
func writeDocument(w io.Writer, format string, doc any, code int, msg string) error {
	data, err := marshal(doc)
	if err != nil {
		return err
	}
	if code != codeOK {
		var extra []member
		if msg != "" {
			e, _ := marshal(msg)
			extra = append(extra, member{"error", e})
		}
		c, _ := marshal(code)
		if data, err = withMembers(data, append(extra, member{"exit_code", c})...); err != nil {
			return err
		}
	}
	if format == formatYAML {
		return writeYAML(w, data)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, data, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err = w.Write(b.Bytes())
	return err
}

// marshal is json.Marshal without escaping <, > and &, which SQL is full of.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

type member struct {
	key   string
	value json.RawMessage
}

// withMembers sets members of a JSON object in place, keeping the order of
// the others, and appends the new ones. A document that is not an object
// (none, when the run failed before producing one) becomes one.
func withMembers(obj []byte, set ...member) ([]byte, error) {
	var members []member
	if !bytes.Equal(obj, []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(obj))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, fmt.Errorf("internal error: a command's document is not a JSON object: %.40s", obj)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			members = append(members, member{tok.(string), v})
		}
	}
	for _, s := range set {
		i := slices.IndexFunc(members, func(m member) bool { return m.key == s.key })
		if i >= 0 {
			members[i].value = s.value
		} else {
			members = append(members, s)
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeYAML converts a JSON document through yaml.v3's node tree, so that
// keys keep their order and names. Quoting is left to the encoder: plain
// where the value reads back as the same string, quoted where it would
// not (a "123" or a "true" stays a string), a literal block for text of
// several lines (SQL, diffs).
func writeYAML(w io.Writer, data []byte) error {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return err
	}
	var plain func(*yaml.Node)
	plain = func(n *yaml.Node) {
		n.Style = 0
		for _, c := range n.Content {
			plain(c)
		}
	}
	plain(&n)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return err
	}
	return enc.Close()
}
