package app

import (
	"context"

	"github.com/markwatch/markwatch/internal/domain"
)

func runEval(context.Context, Env, []string) error {
	return domain.Errorf(domain.ENOTIMPLEMENTED, "eval is being wired")
}

func runExtract(context.Context, Env, []string) error {
	return domain.Errorf(domain.ENOTIMPLEMENTED, "extract is being wired")
}
