// Package yamlcheck holds what the strict readers of hand-written YAML
// (internal/config, internal/registry) share: decoding exactly one document,
// following aliases, naming a node's shape, suggesting the field an operator
// probably meant, and gathering every problem into one error that unwraps to
// domain.EINVALID. Each reader keeps its own Problem type and wording, since
// where a problem is (file:line, variable, mark) differs between them.
package yamlcheck
