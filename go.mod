module github.com/cangjie-go/ohos

go 1.26.8

require (
	github.com/gorilla/websocket v1.5.3
	github.com/samber/mo v1.16.0
	golang.org/x/net v0.62.0
)

require golang.org/x/text v0.43.0 // indirect
