package iampolicy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// anyMatch: one of the patterns matches the value (ARNs are case
// sensitive).
func anyMatch(patterns []string, value string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return Glob(p, value) })
}

// anyActionMatch: one of the patterns matches the action, whose case IAM
// ignores.
func anyActionMatch(patterns []string, action string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return Glob(strings.ToLower(p), strings.ToLower(action)) })
}

// Glob matches value against an IAM pattern: * is any run of characters
// (including none, and including ':' and '/'), ? exactly one character.
func Glob(pattern, value string) bool {
	// Iterative matching with backtracking to the last star: linear in
	// practice, no recursion.
	p, v := 0, 0
	star, mark := -1, 0
	for v < len(value) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == value[v]):
			p++
			v++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case star >= 0:
			p = star + 1
			mark++
			v = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// conditionsHold evaluates a Condition block: every operator, and every key
// under it, must hold ("Creating a condition with multiple keys or values").
func conditionsHold(cond Condition, req Request) (bool, error) {
	for op, keys := range cond {
		for key, want := range keys {
			ok, err := conditionHolds(op, key, want, req)
			if err != nil {
				return false, fmt.Errorf("condition %s on %s: %w", op, key, err)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

// conditionHolds evaluates one operator on one key.
//
//   - Null: "true" holds when the key is absent, "false" when it is present.
//   - A single-valued key: the values are alternatives; a negated operator
//     holds only when no value matches. An absent key makes the condition
//     false, except under IfExists and under a negated operator (the value
//     is not equal to anything).
//   - ForAnyValue: at least one of the request's values matches; false when
//     the key is absent or empty.
//   - ForAllValues: every one of the request's values matches; true when the
//     key is absent or empty (the documented pitfall).
func conditionHolds(op, key string, want Values, req Request) (bool, error) {
	set, base, _ := strings.Cut(op, ":")
	if base == "" {
		set, base = "", op
	}
	base, ifExists := strings.CutSuffix(base, "IfExists")
	single, singlePresent := req.Context[key]
	multi, multiPresent := req.Multi[key]
	if base == "Null" {
		if len(want) != 1 {
			return false, fmt.Errorf("the Null operator takes one value")
		}
		present := singlePresent || (multiPresent && len(multi) > 0)
		return (want[0] == "true") == !present, nil
	}
	matchOne := func(got string) (bool, error) {
		positive := strings.Replace(base, "Not", "", 1)
		for _, w := range want {
			ok, err := compare(positive, w, got)
			if err != nil {
				return false, err
			}
			if ok {
				return !negated(base), nil
			}
		}
		return negated(base), nil
	}
	switch set {
	case "ForAnyValue", "ForAllValues":
		values := multi
		if !multiPresent && singlePresent {
			values = []string{single}
		}
		if len(values) == 0 {
			return set == "ForAllValues", nil
		}
		for _, v := range values {
			ok, err := matchOne(v)
			if err != nil {
				return false, err
			}
			if set == "ForAnyValue" && ok {
				return true, nil
			}
			if set == "ForAllValues" && !ok {
				return false, nil
			}
		}
		return set == "ForAllValues", nil
	case "":
		if multiPresent {
			return false, fmt.Errorf("%s is multivalued: test it with ForAnyValue or ForAllValues", key)
		}
		if !singlePresent {
			return ifExists || negated(base), nil
		}
		return matchOne(single)
	}
	return false, fmt.Errorf("set operator %s not implemented", set)
}

func negated(op string) bool { return strings.Contains(op, "Not") }

// compare applies a positive operator (negations are handled by the caller).
func compare(op, want, got string) (bool, error) {
	switch op {
	case "StringEquals", "ArnEquals":
		return want == got, nil
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(want, got), nil
	case "StringLike", "ArnLike":
		return Glob(want, got), nil
	case "Bool":
		return strings.EqualFold(want, got), nil
	case "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
		w, err1 := strconv.ParseFloat(want, 64)
		g, err2 := strconv.ParseFloat(got, 64)
		if err1 != nil || err2 != nil {
			return false, fmt.Errorf("%s compares numbers: %q and %q", op, want, got)
		}
		switch op {
		case "NumericEquals":
			return g == w, nil
		case "NumericLessThan":
			return g < w, nil
		case "NumericLessThanEquals":
			return g <= w, nil
		case "NumericGreaterThan":
			return g > w, nil
		}
		return g >= w, nil
	}
	return false, fmt.Errorf("operator not implemented")
}
