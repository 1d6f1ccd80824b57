// Package config is markwatch's typed daemon configuration.
//
// A Config is built in three layers, each overriding the one before: the
// embedded config/markwatch.yaml (which documents every field), the
// operator's YAML file, and MARKWATCH_<SECTION>_<FIELD> environment
// variables. YAML is read strictly: an unknown or repeated field, a value of
// the wrong type or an invalid value is an error naming the file, line and
// field (or the environment variable), because a typo that silently falls
// back to a default is worse than not starting. Secrets (the Meilisearch key,
// webhook secrets) have their own type that never prints its value.
package config
