set s="alpha,beta,gamma"
write $piece(s,",",2),"|",$p(s,","),"|",$piece(s,",",2,3),"|",$length(s),"|",$length(s,","),!
set $piece(s,",",5)="eps" write s,!
write $extract("hello",2,4),"|",$e("hello"),"|",$find("hello","l"),"|",$find("hello","z"),!
write $translate("hello","lo","01"),"|",$zconvert("MiXed","U"),"|",$zcvt("MiXed","L"),!
write $justify(42,6),"|",$j(3.14159,0,2),"|",$char(79,75),"|",$ascii("A"),!
write $zstrip("  padded  ","<>W"),"|",$reverse("abc"),"|",$select(0:"no",1:"yes"),"|",$case("b","a":1,"b":2,:3),!
write $length(""),$data(undefinedvar),$get(undefinedvar,"dflt"),!
