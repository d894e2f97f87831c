package option_test

import (
	"fmt"
	"strconv"

	"github.com/samber/mo"

	"github.com/cangjie-go/ohos/option"
)

func ExampleMatch() {
	describe := func(o mo.Option[int]) string {
		return option.Match(o,
			func(v int) string { return "code " + strconv.Itoa(v) },
			func() string { return "no code" })
	}
	fmt.Println(describe(mo.Some(1000)))
	fmt.Println(describe(mo.None[int]()))
	// Output:
	// code 1000
	// no code
}

func ExampleOrElseGet() {
	expensive := func() string {
		fmt.Println("computing the default")
		return "default"
	}
	fmt.Println(option.OrElseGet(mo.Some("given"), expensive))
	fmt.Println(option.OrElseGet(mo.None[string](), expensive))
	// Output:
	// given
	// computing the default
	// default
}

func ExampleCoalesce() {
	fromFlag := mo.None[string]()
	fromEnv := mo.Some("ws://127.0.0.1:8080")
	fromConfig := mo.Some("ws://example.com")

	url := option.Coalesce(fromFlag, fromEnv, fromConfig)
	fmt.Println(url.MustGet())

	fmt.Println(option.Coalesce(fromFlag, mo.None[string]()).IsPresent())
	// Output:
	// ws://127.0.0.1:8080
	// false
}
