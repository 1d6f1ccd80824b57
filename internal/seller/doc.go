// Package seller reads who a marketplace seller is from what its pages
// show: phone numbers, WeChat ids, QQ numbers and addresses in page text
// (Contacts), and the shop name reduced to what tells shops apart
// (ShopKey). Equal keys on two sellers are what links them into one
// network in the store. It is pure: no I/O, no state.
package seller
