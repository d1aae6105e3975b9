//go:build ignore
// +build ignore

package main

import (
	_context "context"
	_flag "flag"
	_fmt "fmt"
	_io "io"
	_log "log"
	_os "os"
	_signal "os/signal"
	_filepath "path/filepath"
	_sort "sort"
	_strconv "strconv"
	_strings "strings"
	_syscall "syscall"
	_tabwriter "text/tabwriter"
	_time "time"
	
)

func main() {
	// Use local types and functions in order to avoid name conflicts with additional magefiles.
	type arguments struct {
		Verbose       bool          // print out log statements
		List          bool          // print out a list of targets
		Help          bool          // print out help for a specific target
		Timeout       _time.Duration // set a timeout to running the targets
		Args          []string      // args contain the non-flag command-line arguments
	}

	parseBool := func(env string) bool {
		val := _os.Getenv(env)
		if val == "" {
			return false
		}		
		b, err := _strconv.ParseBool(val)
		if err != nil {
			_log.Printf("warning: environment variable %s is not a valid bool value: %v", env, val)
			return false
		}
		return b
	}

	parseDuration := func(env string) _time.Duration {
		val := _os.Getenv(env)
		if val == "" {
			return 0
		}		
		d, err := _time.ParseDuration(val)
		if err != nil {
			_log.Printf("warning: environment variable %s is not a valid duration value: %v", env, val)
			return 0
		}
		return d
	}
	args := arguments{}
	fs := _flag.FlagSet{}
	fs.SetOutput(_os.Stdout)

	// default flag set with ExitOnError and auto generated PrintDefaults should be sufficient
	fs.BoolVar(&args.Verbose, "v", parseBool("MAGEFILE_VERBOSE"), "show verbose output when running targets")
	fs.BoolVar(&args.List, "l", parseBool("MAGEFILE_LIST"), "list targets for this binary")
	fs.BoolVar(&args.Help, "h", parseBool("MAGEFILE_HELP"), "print out help for a specific target")
	fs.DurationVar(&args.Timeout, "t", parseDuration("MAGEFILE_TIMEOUT"), "timeout in duration parsable format (e.g. 5m30s)")
	fs.Usage = func() {
		_fmt.Fprintf(_os.Stdout, `
%s [options] [target]

Commands:
  -l    list targets in this binary
  -h    show this help

Options:
  -h    show description of a target
  -t <string>
        timeout in duration parsable format (e.g. 5m30s)
  -v    show verbose output when running targets
 `[1:], _filepath.Base(_os.Args[0]))
	}
	if err := fs.Parse(_os.Args[1:]); err != nil {
		// flag will have printed out an error already.
		return
	}
	args.Args = fs.Args()
	if args.Help && len(args.Args) == 0 {
		fs.Usage()
		return
	}
		
	var printName = func(str string) string {
	// color is ANSI color type
	type color int

	// If you add/change/remove any items in this constant,
	// you will need to run "stringer -type=color" in this directory again.
	// NOTE: Please keep the list in an alphabetical order.
	const (
		black color = iota
		red
		green
		yellow
		blue
		magenta
		cyan
		white
		brightblack
		brightred
		brightgreen
		brightyellow
		brightblue
		brightmagenta
		brightcyan
		brightwhite
	)

	// AnsiColor are ANSI color codes for supported terminal colors.
	var ansiColor = map[color]string{
		black:         "\u001b[30m",
		red:           "\u001b[31m",
		green:         "\u001b[32m",
		yellow:        "\u001b[33m",
		blue:          "\u001b[34m",
		magenta:       "\u001b[35m",
		cyan:          "\u001b[36m",
		white:         "\u001b[37m",
		brightblack:   "\u001b[30;1m",
		brightred:     "\u001b[31;1m",
		brightgreen:   "\u001b[32;1m",
		brightyellow:  "\u001b[33;1m",
		brightblue:    "\u001b[34;1m",
		brightmagenta: "\u001b[35;1m",
		brightcyan:    "\u001b[36;1m",
		brightwhite:   "\u001b[37;1m",
	}

	const colorName = "blackredgreenyellowbluemagentacyanwhitebrightblackbrightredbrightgreenbrightyellowbrightbluebrightmagentabrightcyanbrightwhite"

	var colorIndex = [...]uint8{0, 5, 8, 13, 19, 23, 30, 34, 39, 50, 59, 70, 82, 92, 105, 115, 126}

	colorToLowerString := func(i color) string {
		if i < 0 || i >= color(len(colorIndex)-1) {
			return "color(" + _strconv.FormatInt(int64(i), 10) + ")"
		}
		return colorName[colorIndex[i]:colorIndex[i+1]]
	}

	// ansiColorReset is an ANSI color code to reset the terminal color.
	const ansiColorReset = "\033[0m"

	// defaultTargetAnsiColor is a default ANSI color for colorizing targets.
	// It is set to Cyan as an arbitrary color, because it has a neutral meaning
	var defaultTargetAnsiColor = ansiColor[cyan]

	getAnsiColor := func(color string) (string, bool) {
		colorLower := _strings.ToLower(color)
		for k, v := range ansiColor {
			colorConstLower := colorToLowerString(k)
			if colorConstLower == colorLower {
				return v, true
			}
		}
		return "", false
	}

	// Terminals which  don't support color:
	//
	//	TERM=vt100
	//	TERM=cygwin
	//	TERM=xterm-mono
	var noColorTerms = map[string]bool{
		"vt100":      false,
		"cygwin":     false,
		"xterm-mono": false,
	}

	// terminalSupportsColor checks if the current console supports color output
	//
	// Supported:
	//
	//	linux, mac, or windows's ConEmu, Cmder, putty, git-bash.exe, pwsh.exe
	//
	// Not supported:
	//
	//	windows cmd.exe, powerShell.exe
	terminalSupportsColor := func() bool {
		envTerm := _os.Getenv("TERM")
		if _, ok := noColorTerms[envTerm]; ok {
			return false
		}
		return true
	}

	// enableColor reports whether the user has requested to enable a color output.
	enableColor := func() bool {
		b, _ := _strconv.ParseBool(_os.Getenv("MAGEFILE_ENABLE_COLOR"))
		return b
	}

	// targetColor returns the ANSI color which should be used to colorize targets.
	targetColor := func() string {
		s, exists := _os.LookupEnv("MAGEFILE_TARGET_COLOR")
		if exists {
			if c, ok := getAnsiColor(s); ok {
				return c
			}
		}
		return defaultTargetAnsiColor
	}

	// store the color terminal variables, so that the detection isn't repeated for each target
	var enableColorValue = enableColor() && terminalSupportsColor()
	var targetColorValue = targetColor()

	if enableColorValue {
		return _fmt.Sprintf("%s%s%s", targetColorValue, str, ansiColorReset)
	}

	return str
}


	list := func() error {
		_fmt.Println(`Tasks of the payments platform. Targets stay thin: they parse arguments, call a tested package and print.
`)
		targets := map[string]string{
			"bootstrap:policies": "writes the IAM documents of an environment's pipeline roles into bootstrap/<env>/ (see docs/bootstrap.md).",
			"build": "compiles the payment function for linux/arm64 into compute/dist/payment.zip and prints its hash.",
			"cost:diff": "compares the working tree's costs with those committed at COST_BASE (default origin/main), as a markdown table.",
			"cost:env": "prices an environment's offline plan: a table by layer and resource, fixed (idle) and usage-based cost, the arm64 saving; writes costs/<env>.json.",
			"cost:prices": "refreshes costs/prices.yaml from the AWS Price List Query API (needs AWS credentials) and prints what changed.",
			"deploy:env": "deploys every layer of an environment in dependency order and writes manifests/<env>.json (needs the Pulumi CLI and the environment's AWS credentials); a layer whose update would replace or delete a table, bucket or log group is refused unless ALLOW_DATA_LOSS=<env>.",
			"destroy:env": "destroys every layer of an environment in reverse order; prod needs CONFIRM_DESTROY=prod.",
			"docs:compliance": "regenerates docs/compliance.md from the rules and compliance/waivers.yaml.",
			"docs:environments": "regenerates docs/environments.md from the profiles and stack files.",
			"drift:adopt": "turns the hand changes of drift/<env>.json (or of a fresh drift check) into setting overrides: for that environment, or all three where the setting is the same everywhere.",
			"drift:env": "refreshes every layer of a deployed environment without writing state, writes drift/<env>.json and fails on any drift that compliance/drift-exceptions.yaml does not accept.",
			"drift:revert": "deploys an environment with refresh, putting back what drifted; it prints what it will undo first.",
			"env:show": "prints the validated sanctioned settings of an environment (dev, staging or prod).",
			"lint": "checks formatting and runs go vet over the workspace.",
			"manifest:all": "writes the deployed manifest of every environment ('mage manifest').",
			"manifest:env": "writes manifests/<env>.json from the deployed stacks' state.",
			"parity": "compares the three environments' planned resource graphs; fails on any difference docs/environments.md does not sanction.",
			"plan:env": "plans an environment offline (real Pulumi engine, in-memory AWS, no credentials) and writes manifests/planned/<env>.json.",
			"policy:env": "evaluates the compliance rules on an environment's offline plan; fails on any unwaived violation.",
			"preview:env": "previews every layer of an environment against its live state (needs the Pulumi CLI and AWS credentials).",
			"test": "runs every test of every module of the workspace.",
		}

		keys := make([]string, 0, len(targets))
		for name := range targets {
			keys = append(keys, name)
		}
		_sort.Strings(keys)

		_fmt.Println("Targets:")
		w := _tabwriter.NewWriter(_os.Stdout, 0, 4, 4, ' ', 0)
		for _, name := range keys {
			_fmt.Fprintf(w, "  %v\t%v\n", printName(name), targets[name])
		}
		err := w.Flush()
		return err
	}

	var ctx _context.Context
	ctxCancel := func(){}

	// by deferring in a closure, we let the cancel function get replaced
	// by the getContext function.
	defer func() {
		ctxCancel()
	}()

	getContext := func() (_context.Context, func()) {
		if ctx == nil {
			if args.Timeout != 0 {
				ctx, ctxCancel = _context.WithTimeout(_context.Background(), args.Timeout)
			} else {
				ctx, ctxCancel = _context.WithCancel(_context.Background())
			}
		}

		return ctx, ctxCancel
	}

	runTarget := func(logger *_log.Logger, fn func(_context.Context) error) interface{} {
		var err interface{}
		ctx, cancel := getContext()
		d := make(chan interface{})
		go func() {
			defer func() {
				err := recover()
				d <- err
			}()
			err := fn(ctx)
			d <- err
		}()
		sigCh := make(chan _os.Signal, 1)
		_signal.Notify(sigCh, _syscall.SIGINT)
		select {
		case <-sigCh:
			logger.Println("cancelling mage targets, waiting up to 5 seconds for cleanup...")
			cancel()
			cleanupCh := _time.After(5 * _time.Second)

			select {
			// target exited by itself
			case err = <-d:
				return err
			// cleanup timeout exceeded
			case <-cleanupCh:
				return _fmt.Errorf("cleanup timeout exceeded")
			// second SIGINT received
			case <-sigCh:
				logger.Println("exiting mage")
				return _fmt.Errorf("exit forced")
			}
		case <-ctx.Done():
			cancel()
			e := ctx.Err()
			_fmt.Printf("ctx err: %v\n", e)
			return e
		case err = <-d:
			// we intentionally don't cancel the context here, because
			// the next target will need to run with the same _context.
			return err
		}
	}
	// This is necessary in case there aren't any targets, to avoid an unused
	// variable error.
	_ = runTarget

	handleError := func(logger *_log.Logger, err interface{}) {
		if err != nil {
			logger.Printf("Error: %+v\n", err)
			type code interface {
				ExitStatus() int
			}
			if c, ok := err.(code); ok {
				_os.Exit(c.ExitStatus())
			}
			_os.Exit(1)
		}
	}
	_ = handleError

	// Set MAGEFILE_VERBOSE so mg.Verbose() reflects the flag value.
	if args.Verbose {
		_os.Setenv("MAGEFILE_VERBOSE", "1")
	} else {
		_os.Setenv("MAGEFILE_VERBOSE", "0")
	}

	_log.SetFlags(0)
	if !args.Verbose {
		_log.SetOutput(_io.Discard)
	}
	logger := _log.New(_os.Stderr, "", 0)
	if args.List {
		if err := list(); err != nil {
			_log.Println(err)
			_os.Exit(1)
		}
		return
	}

	if args.Help {
		if len(args.Args) < 1 {
			logger.Println("no target specified")
			_os.Exit(2)
		}
		switch _strings.ToLower(args.Args[0]) {
			case "bootstrap:policies":
				_fmt.Println("Policies writes the IAM documents of an environment's pipeline roles into bootstrap/<env>/ (see docs/bootstrap.md).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage bootstrap:policies <env> <repository>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "build":
				_fmt.Println("Build compiles the payment function for linux/arm64 into compute/dist/payment.zip and prints its hash.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage build\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "cost:diff":
				_fmt.Println("Diff compares the working tree's costs with those committed at COST_BASE (default origin/main), as a markdown table.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage cost:diff\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "cost:env":
				_fmt.Println("Env prices an environment's offline plan: a table by layer and resource, fixed (idle) and usage-based cost, the arm64 saving; writes costs/<env>.json.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage cost:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "cost:prices":
				_fmt.Println("Prices refreshes costs/prices.yaml from the AWS Price List Query API (needs AWS credentials) and prints what changed.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage cost:prices\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:env":
				_fmt.Println("Env deploys every layer of an environment in dependency order and writes manifests/<env>.json (needs the Pulumi CLI and the environment's AWS credentials); a layer whose update would replace or delete a table, bucket or log group is refused unless ALLOW_DATA_LOSS=<env>.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage deploy:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "destroy:env":
				_fmt.Println("Env destroys every layer of an environment in reverse order; prod needs CONFIRM_DESTROY=prod.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage destroy:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "docs:compliance":
				_fmt.Println("Compliance regenerates docs/compliance.md from the rules and compliance/waivers.yaml.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage docs:compliance\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "docs:environments":
				_fmt.Println("Environments regenerates docs/environments.md from the profiles and stack files.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage docs:environments\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "drift:adopt":
				_fmt.Println("Adopt turns the hand changes of drift/<env>.json (or of a fresh drift check) into setting overrides: for that environment, or all three where the setting is the same everywhere. It changes files only.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage drift:adopt <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "drift:env":
				_fmt.Println("Env refreshes every layer of a deployed environment without writing state, writes drift/<env>.json and fails on any drift that compliance/drift-exceptions.yaml does not accept.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage drift:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "drift:revert":
				_fmt.Println("Revert deploys an environment with refresh, putting back what drifted; it prints what it will undo first.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage drift:revert <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "env:show":
				_fmt.Println("Show prints the validated sanctioned settings of an environment (dev, staging or prod).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage env:show <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "lint":
				_fmt.Println("Lint checks formatting and runs go vet over the workspace.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage lint\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "manifest:all":
				_fmt.Println("All writes the deployed manifest of every environment ('mage manifest').")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage manifest:all\n\n")
				var aliases []string
				aliases = append(aliases, "manifest")
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "manifest:env":
				_fmt.Println("Env writes manifests/<env>.json from the deployed stacks' state.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage manifest:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "parity":
				_fmt.Println("Parity compares the three environments' planned resource graphs; fails on any difference docs/environments.md does not sanction.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage parity\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "plan:env":
				_fmt.Println("Env plans an environment offline (real Pulumi engine, in-memory AWS, no credentials) and writes manifests/planned/<env>.json.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage plan:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "policy:env":
				_fmt.Println("Env evaluates the compliance rules on an environment's offline plan; fails on any unwaived violation.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage policy:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "preview:env":
				_fmt.Println("Env previews every layer of an environment against its live state (needs the Pulumi CLI and AWS credentials).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage preview:env <env>\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test":
				_fmt.Println("Test runs every test of every module of the workspace.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\tmage test\n\n")
				var aliases []string
				
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			default:
				logger.Printf("Unknown target: %q\n", args.Args[0])
				_os.Exit(2)
		}
	}
	if len(args.Args) < 1 {
		if err := list(); err != nil {
			logger.Println("Error:", err)
			_os.Exit(1)
		}
		return
	}
	for x := 0; x < len(args.Args); {
		target := args.Args[x]
		x++

		// resolve aliases
		switch _strings.ToLower(target) {
		
			case "manifest":
				target = "Manifest:All"
		}

		switch _strings.ToLower(target) {
		
			case "bootstrap:policies":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Bootstrap:Policies\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Bootstrap:Policies")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Bootstrap{}.Policies(arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "build":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Build\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Build")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Build()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "cost:diff":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Cost:Diff\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Cost:Diff")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Cost{}.Diff()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "cost:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Cost:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Cost:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Cost{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "cost:prices":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Cost:Prices\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Cost:Prices")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Cost{}.Prices()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "destroy:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Destroy:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Destroy:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Destroy{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "docs:compliance":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Docs:Compliance\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Docs:Compliance")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Docs{}.Compliance()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "docs:environments":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Docs:Environments\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Docs:Environments")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Docs{}.Environments()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "drift:adopt":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Drift:Adopt\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Drift:Adopt")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Drift{}.Adopt(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "drift:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Drift:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Drift:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Drift{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "drift:revert":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Drift:Revert\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Drift:Revert")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Drift{}.Revert(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "env:show":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Env:Show\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Env:Show")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Env{}.Show(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "lint":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Lint\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Lint")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Lint()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "manifest:all":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Manifest:All\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Manifest:All")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Manifest{}.All()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "manifest:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Manifest:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Manifest:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Manifest{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "parity":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Parity\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Parity")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Parity()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "plan:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Plan:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Plan:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Plan{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "policy:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Policy:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Policy:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Policy{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "preview:env":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Preview:Env\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Preview:Env")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Preview{}.Env(arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test()
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
		
		default:
			logger.Printf("Unknown target specified: %q\n", target)
			_os.Exit(2)
		}
	}
}




