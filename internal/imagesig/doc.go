// Package imagesig turns image bytes into a perceptual hash (DCT pHash, by
// github.com/corona10/goimagehash), refusing what a hostile server could
// use against us: bodies over a size limit, pictures whose declared size
// would decode into gigabytes, and formats we do not read. It is pure: the
// caller fetches the bytes, within its politeness.
package imagesig
