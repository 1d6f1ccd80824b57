package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestRequestCapture(t *testing.T) {
	clock := newClock()
	db := openTest(t, clock)
	ctx := context.Background()
	res, err := db.SaveListing(ctx, domain.Listing{SourceID: "demo", URL: "http://demo.test/item/1", Title: "六个核挑 核桃乳 240ml*20罐", Seller: "某某食品专营店", Location: "河北 石家庄"},
		[]domain.Match{{MarkID: "liugehetao", Score: 0.9, Alert: true}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.NewAlerts[0].ID
	sup := domain.Actor{UserID: 7, Name: "王监管", Role: domain.RoleSupervisor, Via: "token"}
	if ok, err := db.RequestCapture(ctx, id, JobScreenshot, sup); err != nil || !ok {
		t.Fatalf("first request: %v %v", ok, err)
	}
	if ok, err := db.RequestCapture(ctx, id, JobScreenshot, sup); err != nil || ok {
		t.Fatalf("second request while pending: queued=%v err=%v, want the same request", ok, err)
	}
	jobs, err := db.DueCaptureJobs(ctx, clock.Now().Add(1e9), 10)
	if err != nil || len(jobs) != 1 || jobs[0].Kind != JobScreenshot || jobs[0].URL != "http://demo.test/item/1" {
		t.Fatalf("jobs %+v %v", jobs, err)
	}
	entries, _, err := db.ListAudit(ctx, domain.AuditFilter{Action: domain.AuditCaptureRequest})
	if err != nil || len(entries) != 1 || entries[0].Actor.Name != "王监管" || entries[0].MarkID != "liugehetao" {
		t.Fatalf("audit %+v %v", entries, err)
	}
	for _, tc := range []struct {
		id   int64
		kind string
		code string
	}{{id, "image", domain.EINVALID}, {999, JobScreenshot, domain.ENOTFOUND}} {
		if _, err := db.RequestCapture(ctx, tc.id, tc.kind, sup); domain.ErrorCode(err) != tc.code {
			t.Errorf("RequestCapture(%d, %s) = %v, want %s", tc.id, tc.kind, err, tc.code)
		}
	}
}
