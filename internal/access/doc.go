// Package access decides who may see and do what: identity (passwords,
// console sessions, API tokens), the role → permission table, the scope a
// principal sees (an owner's marks, a supervisor's jurisdiction), and the one
// HTTP guard every route of the API and console is served through.
//
// The guard is the single place rules are enforced: each route declares the
// permission it needs when it is registered, a route without one cannot be
// registered, and a path no route declares is refused (default deny). Before
// a handler runs the guard has checked the Host header (DNS rebinding),
// authenticated the request (bearer token or session cookie), checked the
// permission and, for a state-changing request authenticated by cookie, the
// CSRF token and the Origin. Handlers read the Principal from the context and
// pass its Scope to every reader, so an owner's request can only ever read
// that owner's marks.
//
// Files: password.go (argon2id hashes, policy, generated passwords),
// secret.go (token and session secrets), scope.go, throttle.go (failed
// sign-ins per account and per address), auth.go (the Authenticator),
// guard.go and enforce.go (the Guard), host.go, next.go (open-redirect
// safe login targets), respond.go (refusals in the API's error shape).
//
// The package imports only domain; the store it reads users, sessions and
// tokens from is the Store interface declared here.
package access
