package awsfake

import (
	"fmt"
	"sort"
	"time"

	"github.com/acmepay/platform/pkg/awstype"
)

// Object is one object version in a bucket, with the Object Lock retention
// S3 stamped on it when it was written (the bucket's default retention then).
type Object struct {
	Key         string
	Mode        string // GOVERNANCE, COMPLIANCE or "" (not locked)
	RetainUntil time.Time
}

// PutObject writes an object into a live bucket, as the payment function
// does, applying the bucket's default Object Lock retention the way S3 does:
// the retention in force at the time of writing stays with the object.
func (c *Cloud) PutObject(bucket, key string, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.resources[bucket]; !ok {
		return fmt.Errorf("awsfake: NoSuchBucket: %s", bucket)
	}
	obj := Object{Key: key}
	for _, r := range c.resources {
		if r.Type != awstype.BucketObjectLock || input(r.Inputs, "bucket") != bucket {
			continue
		}
		rule := r.Inputs["rule"]
		if !rule.IsObject() {
			continue
		}
		ret := rule.ObjectValue()["defaultRetention"]
		if !ret.IsObject() {
			continue
		}
		obj.Mode = input(ret.ObjectValue(), "mode")
		if d := ret.ObjectValue()["days"]; d.IsNumber() {
			obj.RetainUntil = now.AddDate(0, 0, int(d.NumberValue()))
		}
	}
	if c.objects == nil {
		c.objects = map[string][]Object{}
	}
	c.objects[bucket] = append(c.objects[bucket], obj)
	return nil
}

// Objects lists a bucket's objects by key.
func (c *Cloud) Objects(bucket string) []Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]Object(nil), c.objects[bucket]...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// deleteBucket removes a bucket the way the AWS provider's delete does
// (pulumi-aws BucketV2's forceDestroy: "all objects (including any locked
// objects) should be deleted from the bucket when the bucket is destroyed").
// Without forceDestroy a non-empty bucket is refused (BucketNotEmpty). With
// it, every version is deleted with governance retention bypassed; S3 lets
// nobody bypass compliance retention, so such a bucket cannot be destroyed
// until its objects' retention ends. now is the time of the deletion.
func (c *Cloud) deleteBucket(live *Live, now time.Time) error {
	objects := c.objects[live.ID]
	if len(objects) == 0 {
		return nil
	}
	if force := live.Inputs["forceDestroy"]; !force.IsBool() || !force.BoolValue() {
		return fmt.Errorf("awsfake: BucketNotEmpty: %s holds %d objects", live.ID, len(objects))
	}
	for _, o := range objects {
		if o.Mode == "COMPLIANCE" && now.Before(o.RetainUntil) {
			return fmt.Errorf("awsfake: AccessDenied: %s/%s is under compliance-mode retention until %s; no one can delete it before",
				live.ID, o.Key, o.RetainUntil.Format(time.DateOnly))
		}
	}
	delete(c.objects, live.ID)
	return nil
}
