module github.com/cangjie-go/ohos

go 1.24.0

require (
	github.com/gorilla/websocket v1.5.3
	github.com/samber/mo v1.16.0
	golang.org/x/net v0.50.0
)

require (
	github.com/stretchr/testify v1.12.1 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/text v0.34.0 // indirect
)
