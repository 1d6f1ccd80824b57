package schedule

import "go.uber.org/zap"

// cronLogger adapts zap to cron.Logger. cron logs every tick at Info, which
// would drown ours, so its Info goes to Debug.
type cronLogger struct{ log *zap.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	l.log.Debug("cron: "+msg, zap.Any("details", kv))
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, zap.Error(err), zap.Any("details", kv))
}
