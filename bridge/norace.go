//go:build !race

package bridge

const raceEnabled = false

func raceWritten([]byte) {}
func raceRead([]byte)    {}
