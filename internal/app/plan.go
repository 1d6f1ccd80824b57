package app

// queryBudget is how many searches one run of a source makes; crawl.Plan
// rotates through the registry's names, forms, goods and look-alike
// spellings across runs.
const queryBudget = 24
