// Package web is markwatch's console for market supervisors (市场监管),
// rights holders (权利人), operators and admins: server-rendered pages
// (html/template, no JavaScript framework) for the alert queue, an evidence
// page per alert that can be printed and handed to enforcement (with its
// captures and the listing's version timeline), reviews, enforcement cases
// (案件) with their takedown notices and packets, subscriptions, authorised-seller claims, the audit log and users.
//
// The pages are declared as access.Routes (Routes) and served by the access
// Guard, which authenticates, enforces each route's permission and checks
// Origin and the session's CSRF token on posts; every form that posts
// carries that token. Each handler checks the permission again and applies
// the principal's scope itself: an owner sees only its marks, a supervisor
// only its jurisdiction, and anything outside is answered as missing (404).
//
// Listing titles, sellers, notes and URLs come from marketplaces and users
// and are untrusted: every value reaches the page through html/template's
// contextual escaping, including the highlighted title, which is passed as
// plain segments rather than pre-built HTML. Secrets of subscriptions and
// passwords are never put in a page.
package web
