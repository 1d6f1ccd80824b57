// Package web is markwatch's console for market supervisors: server-rendered
// pages (html/template, no JavaScript framework) for the alert queue, an
// evidence page per alert that can be printed and handed to enforcement, and
// the review buttons that confirm or dismiss an alert.
//
// Listing titles, sellers and URLs come from marketplaces and are untrusted:
// every value reaches the page through html/template's contextual escaping,
// including the highlighted title, which is passed as plain segments rather
// than pre-built HTML. State-changing requests are POST forms accepted only
// from the console's own origin.
package web
