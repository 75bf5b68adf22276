// Package layout is bulkhead's model of the layout file (bulkhead.yaml): the
// Go types, decoding with source positions, expansion of generated accounts,
// validation, and the parsing of invariants.
//
// Load reads a file and returns the model together with every problem found
// in it, each a diag.Diagnostic with a FILE:LINE:COL position, so that the
// CLI can report all of them at once. Decoding walks the YAML syntax tree
// itself rather than unmarshalling into structs: that is what gives every
// value a position, every unknown field a did-you-mean, and bounds on the
// work any input can cause (size, nesting depth, alias expansion).
//
// The package is pure: it reads the layout file and the policy files it
// references and nothing else. It must not talk to AWS, the emulator, or the
// network, and it must not import the packages that consume the model
// (stages, plan, access, lint); they import it.
package layout
