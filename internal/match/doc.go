// Package match decides whether a marketplace listing imitates a protected
// name, the way Chinese trademark examiners compare names: by sound, shape and
// meaning (音、形、义) within the goods the mark covers. It is pure: no I/O and
// no mutable package state; the only package-level data are read-only tables
// built from data embedded at build time (see data/README.md).
//
// A title goes through these steps, each linear in its length:
//
//  1. normalise (normalize.go): NFKC, lower case, latin homoglyphs, traditional
//     and variant hanzi folded to simplified, separators dropped but remembered
//     as gaps, every unit keeping its rune span in the original title;
//  2. candidates (index.go): pairs of nearby characters looked up in a pair
//     index of the registry, behind a bloom filter per key class; a presence
//     filter then drops names of three or more characters missing too many
//     of them (presence.go);
//  3. alignment (align.go): a small dynamic programme reads the name against
//     the title with sound, shape, split/merge, insertion, deletion and swap
//     steps, under limits that keep a look-alike a look-alike; beside it
//     (matcher.go) the name is read whole, for its overall impression: up to
//     two characters changed while the first character and the pattern hold
//     (康帅博, 大仁核桃), a repeated character kept or replaced alike
//     (奥密奥, 司口司乐), a three-character name with only its first
//     character replaced, a two-character word keeping the name's second
//     character, a closing form of address or kinship word traded within its
//     class (老姨妈), reordered names and traded generic words; lone digits
//     glued to hanzi are read as numerals (6个核桃); latin spellings by hash
//     (occurrence.go): pinyin, initials, letter look-alikes (I/l/1, rn/m,
//     vv/w, O/0, b/d in latin forms), one letter added, dropped, changed or
//     swapped, one pinyin syllable with another final, pinyin mixed with
//     hanzi (LIUGE核桃), and a two-word latin form with one word replaced;
//  4. judgement (judge.go, context.go): goods words, well-known status,
//     counterfeit wording, compatible-with wording, exclude phrases,
//     authorised shops, and for geographical indications the seller location
//     against the protected area; only reported hits are put into words.
//
// Reason tactics: exact, sound, shape, split, insertion, deletion, reorder,
// swap, double (two characters changed, or the name read whole), pattern (a
// repeated character held), numeral, script, symbols, latin, counterfeit,
// gi-origin, gi-qualifier, and context for the circumstances that raised or
// lowered a score. A look-alike over characters that spell another
// registered mark exactly is left to that mark.
package match
